#!/usr/bin/env node
// `npm run demo`: installs what is missing (on Debian/Ubuntu, as `.ci/run` does), builds Parley and the
// demo, and runs scripts/demo/main.ts: a local Kamailio, simulated colleagues, Parley in web mode.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ensureNativeForNode } from './native.mjs';
import { openBrowser } from './open-browser.mjs';

const PACKAGES = [
  'kamailio',
  'kamailio-websocket-modules',
  'kamailio-presence-modules',
  'kamailio-xml-modules',
  'kamailio-sqlite-modules',
  'kamailio-utils-modules',
];

function missingPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) return existsSync('/usr/sbin/kamailio') ? [] : PACKAGES;
  return PACKAGES.filter((name) => {
    const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !/install ok installed/.test(status.stdout ?? '');
  });
}

const missing = missingPackages();
if (missing.length > 0) {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo'];
  if (!existsSync('/usr/bin/apt-get')) {
    console.error(`The demo needs Kamailio (${missing.join(', ')}). Install it with your package manager, then run npm run demo again.`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} (apt-get${root ? '' : ', with sudo'})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const result = spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error('Installing Kamailio failed; see above.');
      process.exit(1);
    }
  }
  // The package starts a system instance on 5060; the demo runs its own on free ports.
  spawnSync(sudo[0] ?? 'systemctl', [...(sudo.length ? ['systemctl'] : []), 'stop', 'kamailio'], { stdio: 'ignore' });
}

ensureNativeForNode();
// PARLEY_DEMO_BUILT=1: Parley is already built (the test suite builds once for all its tests).
const steps = [
  ...(process.env.PARLEY_DEMO_BUILT === '1' ? [] : [[process.execPath, ['scripts/build.mjs']]]),
  ['node_modules/.bin/tsc', ['-p', 'tsconfig.demo.json']],
];
for (const [command, args] of steps) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
copyFileSync('tests/support/kamailio.cfg', 'out/demo/tests/support/kamailio.cfg');

const child = spawn(process.execPath, ['out/demo/scripts/demo/main.js', ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const url = /^Parley demo: (\S+)/.exec(line)?.[1];
  if (url && !process.argv.includes('--no-open')) openBrowser(url);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
