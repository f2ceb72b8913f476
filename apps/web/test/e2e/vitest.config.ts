/**
 * `npm run test:e2e`: the app in Chromium against real processes (a sync server, daemons, the
 * browser node in a page). Kept out of `npm test` and run one file at a time: each file drives
 * Chromium and several processes, and on a 2-core machine they time out when they share it
 * with the rest of the suite.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../../..', import.meta.url)),
    include: ['apps/web/test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
