import { configDefaults, defineConfig } from 'vitest/config';

// The 50,000-line import measures latency, which other test files running beside it would distort: the default
// run leaves it out, and `npm run test:large` (`vitest run --mode large`) runs it alone.
const LARGE_IMPORT_TEST = 'test/e2e/large-import.test.ts';

export default defineConfig(({ mode }) => ({
  test: {
    include: mode === 'large' ? [LARGE_IMPORT_TEST] : ['test/**/*.test.ts'],
    // The fault suite restarts PostgreSQL and kills processes: `npm run test:faults` runs it on its own.
    exclude: [...configDefaults.exclude, 'test/faults/**', ...(mode === 'large' ? [] : [LARGE_IMPORT_TEST])],
    globalSetup: ['test/support/global-setup.ts'],
    // Tests wait for conditions, each with its own deadline; these outer limits only end a test that is stuck,
    // and are generous so that a loaded machine (two suites at once, a busy CI runner) slows tests, not fails them.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests start real servers and databases; two at a time matches the 2-core machines CI runs on.
    maxWorkers: 2,
  },
}));
