#!/usr/bin/env node
// `npm start`: the desktop app. Electron's binary is downloaded on first use; where that cannot
// happen (no internet, as on our build machines) Parley says so in one line and starts web mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ensureNativeForElectron } from './native.mjs';

const require = createRequire(import.meta.url);
const passThrough = process.argv.slice(2);

function electronBinary() {
  const dir = new URL('../node_modules/electron/', import.meta.url).pathname;
  const installed = () => existsSync(`${dir}path.txt`) && existsSync(`${dir}dist`);
  if (!installed()) {
    const download = spawnSync(process.execPath, [`${dir}install.js`], { encoding: 'utf8', timeout: 120_000 });
    if (download.status !== 0 || !installed()) {
      const reason =
        `${download.stderr ?? ''}`
          .split('\n')
          .find((line) => /Error/.test(line))
          ?.trim() ?? 'download failed';
      return { error: reason };
    }
  }
  return { path: require('electron') };
}

const electron = electronBinary();
if (electron.path) {
  ensureNativeForElectron();
  const child = spawn(electron.path, ['.', ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const version = JSON.parse(readFileSync(new URL('../node_modules/electron/package.json', import.meta.url), 'utf8')).version;
  console.log(`Parley: the Electron ${version} runtime cannot be obtained here (${electron.error}); starting web mode instead.`);
  // The same launcher as `npm run web` (it reads the same arguments from process.argv), and the
  // address opens in the browser, as the desktop app's window would.
  process.argv.push('--open');
  await import('./web.mjs');
}
