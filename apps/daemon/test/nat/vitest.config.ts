/**
 * `npm run test:nat`: the NAT harness only (it needs root, iproute2, nftables and coturn, so the
 * ordinary `npm test` leaves it out: its files end in `.nat.ts`, not `.test.ts`).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../../..', import.meta.url)),
    include: ['apps/daemon/test/nat/**/*.nat.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
