#!/usr/bin/env node
// Builds everything `npm start`, web mode and the end-to-end tests run: main (tsc → out/main, out/shared),
// the preload (one CommonJS bundle → out/preload) and the renderer (Vite → out/renderer).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const steps = [
  ['tsc', ['-p', 'tsconfig.main.json']],
  ['vite', ['build', '--logLevel', 'warn', '--config', 'vite.preload.config.ts']],
  ['vite', ['build', '--logLevel', 'warn']],
];

rmSync('out', { recursive: true, force: true });
for (const [command, args] of steps) {
  const result = spawnSync(`node_modules/.bin/${command}`, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build failed at: ${command} ${args.join(' ')}`);
    process.exit(result.status ?? 1);
  }
}
