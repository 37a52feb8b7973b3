#!/usr/bin/env node
// `npm run web -- --data-dir DIR --port N`: web mode, after making sure the native module fits Node.
import { spawn } from 'node:child_process';
import { ensureNativeForNode } from './native.mjs';

ensureNativeForNode();
const child = spawn(process.execPath, ['out/main/web/cli.js', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
