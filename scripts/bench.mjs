#!/usr/bin/env node
// `npm run bench`: runs bench/*.bench-test.ts (real Kamailio, real web-mode processes) and prints the
// figures with their ratio to the budget (below 1.00 is within budget). Figures are printed, never
// asserted: timing belongs here, not in the test suite.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

rmSync('bench-results', { recursive: true, force: true });
const run = spawnSync('node_modules/.bin/vitest', ['run', '--config', 'vitest.bench.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (run.status !== 0) process.exit(run.status ?? 1);

const pad = (text, width) => String(text).padEnd(width);
for (const file of readdirSync('bench-results').sort()) {
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
