import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite restarts PostgreSQL and kills processes: `npm run test:faults` runs it on its own.
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers and databases; two at a time matches the 2-core machines CI runs on.
    maxWorkers: 2,
  },
});
