import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured figure; `budget` makes the printed ratio meaningful (ratio = value / budget). */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly budget?: number;
  readonly detail?: string;
}

const DIR = new URL('../../bench-results/', import.meta.url).pathname;

/**
 * `PARLEY_BENCH_SMOKE=1` (what `npm test` runs): one small round of every measurement, to prove each
 * bench file still runs against today's UI and engine. Its figures mean nothing and are not judged.
 */
export const SMOKE = process.env.PARLEY_BENCH_SMOKE === '1';

/** `full` in a real run, `smoke` in the smoke run. */
export function size(full: number, smoke: number): number {
  return SMOKE ? smoke : full;
}

/**
 * Writes a group of figures for `scripts/bench.mjs` to print. Called from a `finally`: a bench that
 * fails half-way still leaves what it measured before the failure.
 */
export function record(group: string, figures: Figure[]): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, `${group}.json`), JSON.stringify({ group, figures, smoke: SMOKE, at: new Date().toISOString() }, null, 2));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
