import { nodeCrypto, sharedVerifyCache } from '@poolnet/platform-node';
import { describe, expect, it } from 'vitest';
import { simulate } from '../sim/simulate.js';

// The simulator's must-show figures, on a pool small enough for every test run. The
// 10,000-node run is `npm run sim -- --nodes 10000 --messages 100 --churn 0.1 --seed 1`.
describe('simulator', () => {
  it('[RT1][SYNC3] with churn: everything delivered, few duplicates, bounded links and hops', async () => {
    const nodes = 1200;
    const r = await simulate({
      nodes,
      messages: 40,
      churn: 0.1,
      seed: 5,
      crypto: sharedVerifyCache(nodeCrypto()),
    });
    expect(r.deliveredRatio).toBe(1);
    expect(r.directedDeliveredRatio).toBe(1);
    expect(r.maxLinks).toBeLessThanOrEqual(6);
    expect(r.p99Hops).toBeLessThanOrEqual(2 * Math.log2(nodes / 3) + 2);
    expect(r.duplicates).toBeLessThanOrEqual(0.001 * r.deliveries);
  });

  it('[RT1] without churn: not a single duplicate', async () => {
    const r = await simulate({
      nodes: 800,
      messages: 30,
      churn: 0,
      seed: 6,
      crypto: sharedVerifyCache(nodeCrypto()),
    });
    expect(r.deliveredRatio).toBe(1);
    expect(r.directedDeliveredRatio).toBe(1);
    expect(r.duplicates).toBe(0);
  });
});
