// Opens a URL in the person's browser where there is one (a desktop session); does nothing otherwise.
import { spawn, spawnSync } from 'node:child_process';

export function openBrowser(url) {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  if (process.platform !== 'win32' && spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) return false;
  spawn(command, [url], { stdio: 'ignore', detached: true })
    .on('error', () => undefined)
    .unref();
  return true;
}
