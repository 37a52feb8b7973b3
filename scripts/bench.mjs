#!/usr/bin/env node
// `npm run bench`: runs bench/*.bench-test.ts (real Kamailio, real web-mode processes) and prints the
// figures with their ratio to the budget (below 1.00 is within budget). Figures are printed, never
// asserted: timing belongs here, not in the test suite. Every figure that was measured is printed even
// when a bench file fails (the run then still exits non-zero). With PARLEY_BENCH_SMOKE=1 (as `npm test`
// runs it) each file makes one small round: proof that it still runs, not a measurement.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';

rmSync('bench-results', { recursive: true, force: true });
const run = spawnSync('node_modules/.bin/vitest', ['run', '--config', 'vitest.bench.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
const smoke = process.env.PARLEY_BENCH_SMOKE === '1';
const pad = (text, width) => String(text).padEnd(width);
// No folder at all: no file got as far as measuring anything.
const files = existsSync('bench-results') ? readdirSync('bench-results').sort() : [];
if (smoke) console.log('\n(smoke run: one small round per file; the figures below are not measurements)');
for (const file of files) {
  const { group, figures } = JSON.parse(readFileSync(`bench-results/${file}`, 'utf8'));
  console.log(`\n## ${group}`);
  console.log(`${pad('figure', 72)} ${pad('value', 12)} ${pad('budget', 10)} ratio`);
  for (const f of figures) {
    // Milliseconds below 10 keep two decimals: "2 ms" against "2 ms" says nothing about a ratio.
    const digits = f.unit === 'ms' ? (f.value < 10 ? 2 : 0) : 1;
    const value = `${f.value.toFixed(digits)} ${f.unit}`;
    const budget = f.budget === undefined ? '' : `${f.budget} ${f.unit}`;
    const ratio = f.budget === undefined ? '' : (f.value / f.budget).toFixed(2);
    console.log(`${pad(f.name, 72)} ${pad(value, 12)} ${pad(budget, 10)} ${ratio}`);
    if (f.detail) console.log(`    ${f.detail}`);
  }
}
if (run.status !== 0) {
  console.error(`\nA bench file failed (above); ${files.length} group(s) of figures were still measured and printed.`);
  process.exit(run.status ?? 1);
}
