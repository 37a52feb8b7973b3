import { defineConfig } from 'vitest/config';

// `npm run bench`: measurements, run one file at a time so they do not disturb each other.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
