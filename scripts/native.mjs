// better-sqlite3 is a native module: built for plain Node it cannot load in Electron, and vice versa.
// These helpers make sure the build in node_modules matches the runtime about to use it.
import { spawnSync } from 'node:child_process';

/** True when better-sqlite3 loads in this Node. */
export function loadsInNode() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
  return probe.status === 0;
}

/** Rebuilds better-sqlite3 for plain Node if it was last built for Electron. */
export function ensureNativeForNode() {
  if (loadsInNode()) return;
  console.error('Parley: rebuilding better-sqlite3 for Node…');
  const result = spawnSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
  if (result.status !== 0 || !loadsInNode()) {
    console.error('Parley: better-sqlite3 does not load in Node. Run `npm ci` again.');
    process.exit(1);
  }
}

/** Rebuilds native modules for Electron's Node ABI (before launching the desktop app). */
export function ensureNativeForElectron() {
  const result = spawnSync('node_modules/.bin/electron-builder', ['install-app-deps'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Parley: could not rebuild native modules for Electron.');
    process.exit(1);
  }
}
