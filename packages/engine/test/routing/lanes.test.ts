import { asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { pool as createTestPool } from '../helpers.js';

describe('lanes', () => {
  it('[RT6] a chunk on lane L crosses full panels on their slot-L nodes', async () => {
    // 63 nodes: the center and level-1 clusters are full, so every relay panel has all slots.
    const pool = await createTestPool(63, { seed: 12 });
    const nodes = [...pool.nodes.values()];
    const deep = nodes.filter((n) => n.position!.path.length === 3);
    const from = deep.find((n) => n.position!.path[0] === 0)!;
    const to = deep.find((n) => n.position!.path[0] === 2)!;
    for (const lane of [0, 1, 2]) {
      const before = new Map(nodes.map((n) => [n.id, n.stats.framesSent]));
      let got = 0;
      const off = to.onChunk(() => got++);
      from.sendChunk(
        [{ nodeId: to.id, path: to.position!.path }],
        { fileId: 'f', index: lane, data: new Uint8Array([lane]) },
        lane,
      );
      await pool.settle();
      off();
      expect(got).toBe(1);
      const relays = nodes.filter(
        (n) => n !== from && n !== to && n.stats.framesSent > before.get(n.id)!,
      );
      expect(relays.length).toBeGreaterThan(0);
      for (const relay of relays)
        expect(relay.position!.slot, `relay ${relay.id} on lane ${lane}`).toBe(lane);
    }
    expect(pool.nodes.get(asNodeId('n1'))).toBeDefined();
  });
});
