/**
 * `npm run test:cluster`: the sync-server cluster tests only. They start their own
 * `nats-server`, sync-server instance processes and (daemons.cluster.ts) 20 daemon processes,
 * so the ordinary `npm test` leaves them out: their files end in `.cluster.ts`, not `.test.ts`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../../..', import.meta.url)),
    include: ['apps/sync-server/test/cluster/**/*.cluster.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One at a time: each file starts its own cluster, and the machine may have two cores.
    fileParallelism: false,
  },
});
