// `npm run test:faults`: the fault suite (issue 9) — processes killed at random points, the mail server,
// Slack and PostgreSQL failing under a running import. Kept out of `npm test`: it restarts the PostgreSQL
// server for real, so its files run one at a time and never beside the main suite.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
