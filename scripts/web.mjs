#!/usr/bin/env node
// `npm run web -- --data-dir DIR --port N [--open]`: web mode, after making sure the native module fits
// Node. With --open (as `npm start` passes) the printed address is also opened in the browser.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureNativeForNode } from './native.mjs';
import { openBrowser } from './open-browser.mjs';

ensureNativeForNode();
const args = process.argv.slice(2).filter((arg) => arg !== '--open');
const open = process.argv.includes('--open');
const child = spawn(process.execPath, ['out/main/web/cli.js', ...args], { stdio: ['inherit', 'pipe', 'inherit'] });
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const url = /^Parley web UI: (\S+)/.exec(line)?.[1];
  if (url && open) openBrowser(url);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
