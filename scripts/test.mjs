#!/usr/bin/env node
// `npm test`: every check CI runs, in order, stopping at the first failure.
// Lint (with the layer rule) → type-check every target → electron-builder.yml schema → build →
// unit, integration (real Kamailio) and end-to-end (real Chromium) tests → a smoke round of every bench.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNativeForNode } from './native.mjs';

const missing = [
  ['kamailio', '/usr/sbin/kamailio'],
  ['kamcmd', '/usr/sbin/kamcmd'],
  ['rtpengine', '/usr/bin/rtpengine'],
  ['chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'],
].filter(([, path]) => !existsSync(path));
if (missing.length > 0) {
  console.error(`npm test needs ${missing.map(([name]) => name).join(', ')}. Run \`bash .ci/run\` once (it installs them with apt).`);
  process.exit(1);
}
ensureNativeForNode();

const bin = (name) => `node_modules/.bin/${name}`;
const steps = [
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['typecheck main', bin('tsc'), ['-p', 'tsconfig.main.json', '--noEmit']],
  ['typecheck shared', bin('tsc'), ['-p', 'tsconfig.shared.json']],
  ['typecheck preload', bin('tsc'), ['-p', 'tsconfig.preload.json']],
  ['typecheck tests', bin('tsc'), ['-p', 'tsconfig.tools.json']],
  ['typecheck renderer', bin('svelte-check'), ['--tsconfig', 'tsconfig.renderer.json', '--fail-on-warnings', '--output', 'human']],
  ['electron-builder.yml', process.execPath, ['scripts/validate-builder-config.mjs']],
  ['build', process.execPath, ['scripts/build.mjs']],
  ['tests', bin('vitest'), ['run', ...process.argv.slice(2)]],
];
// Every bench file, one small round each (figures printed, not judged): a bench that no longer runs
// against today's UI fails here, not months later. Skipped when only a subset of the tests is asked for.
if (process.argv.length <= 2) steps.push(['bench smoke', process.execPath, ['scripts/bench.mjs'], { PARLEY_BENCH_SMOKE: '1' }]);

for (const [name, command, args, env] of steps) {
  const started = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
