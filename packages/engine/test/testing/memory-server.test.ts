import { asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { pool as createTestPool } from '../helpers.js';
import { cryptoRandom } from '../../src/util/crypto-random.js';

describe('signalling rules (memory server)', () => {
  it('[SIG1] signalling is relayed only between nodes the topology links', async () => {
    const pool = await createTestPool(30, { seed: 41 });
    const server = pool.server;
    const a = asNodeId('n1');
    const far = [...pool.nodes.keys()].find(
      (id) => id !== a && !server.topology.linksOf(a).has(id),
    )!;
    const near = [...server.topology.linksOf(a).keys()][0]!;
    const got: string[] = [];
    for (const id of [far, near]) {
      server.client(id).subscribe({
        position() {},
        connect() {},
        disconnect() {},
        verify() {},
        signal: (from) => void got.push(`${from}->${id}`),
      });
    }
    const refusedBefore = server.stats.signalsRefused;
    server.client(a).sendSignal(far, new Uint8Array([1]));
    server.client(a).sendSignal(near, new Uint8Array([2]));
    await pool.settle();
    expect(got).toEqual([`${a}->${near}`]);
    expect(server.stats.signalsRefused).toBe(refusedBefore + 1);
  });

  it('[SIG3] a position with an older epoch is ignored', async () => {
    const pool = await createTestPool(12, { seed: 42 });
    const node = pool.nodes.get(asNodeId('n4'))!;
    const current = node.position!;
    const stale = { ...current, epoch: current.epoch - 1, slot: (current.slot + 1) % 3 };
    (node as unknown as { applyPosition(p: typeof current): void }).applyPosition(stale);
    expect(node.position).toBe(current);
  });

  it('[SIG2] positions reach a node before its link orders for the same change', async () => {
    const pool = await createTestPool(9, { seed: 43 });
    const order: string[] = [];
    pool.server.client(asNodeId('late')).subscribe({
      position: () => void order.push('position'),
      connect: () => void order.push('connect'),
      disconnect: () => void order.push('disconnect'),
      signal() {},
      verify() {},
    });
    pool.server.join(asNodeId('late'));
    await pool.settle();
    expect(order[0]).toBe('position');
    expect(order.filter((o) => o === 'connect').length).toBeGreaterThan(0);
  });
});

describe('cryptoRandom', () => {
  it('makes URL-safe ids of the asked length that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => cryptoRandom.id()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const x = cryptoRandom.next();
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
  });
});
