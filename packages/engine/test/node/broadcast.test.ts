import { describe, expect, it } from 'vitest';
import { pool as createTestPool } from '../helpers.js';

describe('broadcast along the panel spanning tree', () => {
  for (const n of [1, 2, 3, 4, 9, 10, 27, 64, 150]) {
    it(`[RT1] every node of a ${n}-node pool receives each broadcast exactly once`, async () => {
      const pool = await createTestPool(n, { seed: n });
      const ids = [...pool.nodes.keys()];
      const senders = ids.filter((_, i) => i % Math.max(1, Math.floor(n / 8)) === 0);
      for (const id of senders) pool.nodes.get(id)!.sendText(`hello from ${id}`);
      await pool.settle();
      for (const id of ids) {
        expect(pool.texts(id).sort()).toEqual(senders.map((s) => `hello from ${s}`).sort());
        expect(pool.nodes.get(id)!.stats.duplicates).toBe(0);
        expect(pool.nodes.get(id)!.neighbours().length).toBeLessThanOrEqual(6);
      }
    });
  }

  it('[RT2] hops stay within 2·log2(N/3)+2 and frames sent equal deliveries (no flooding)', async () => {
    const n = 300;
    const pool = await createTestPool(n, { seed: 11 });
    const sender = [...pool.nodes.values()][n - 1]!;
    const framesBefore = [...pool.nodes.values()].reduce((a, x) => a + x.stats.framesSent, 0);
    const id = sender.sendText('measure');
    await pool.settle();
    const framesAfter = [...pool.nodes.values()].reduce((a, x) => a + x.stats.framesSent, 0);
    const hops = [...pool.inbox.values()].flatMap((inbox) =>
      inbox.filter((d) => d.message.id === id && d.via === 'broadcast').map((d) => d.hops),
    );
    expect(hops.length).toBe(n - 1);
    expect(Math.max(...hops)).toBeLessThanOrEqual(2 * Math.log2(n / 3) + 2);
    // One frame per receiving node (the tree has n-1 edges); digests are not sent when quiet.
    expect(framesAfter - framesBefore).toBe(n - 1);
  });

  it('[RT3] a text over the size limit is refused with a typed error and sends nothing', async () => {
    const pool = await createTestPool(3, { config: { maxTextBytes: 10 } });
    const node = [...pool.nodes.values()][0]!;
    expect(() => node.sendText('x'.repeat(11))).toThrow(
      expect.objectContaining({ code: 'TEXT_TOO_LONG' }),
    );
    await pool.settle();
    for (const id of pool.nodes.keys()) expect(pool.texts(id)).toEqual([]);
  });

  it('[RT4] a directed message reaches its destination along the tree path only', async () => {
    const pool = await createTestPool(200, { seed: 5 });
    const nodes = [...pool.nodes.values()];
    const from = nodes[150]!;
    const to = nodes[190]!;
    const before = nodes.map((x) => x.stats.framesSent);
    const id = from.sendTo([{ nodeId: to.id, path: to.position!.path }], {
      case: 'retractRequest',
      value: { $typeName: 'poolnet.v1.RetractRequest', fileId: 'f1' },
    });
    await pool.settle();
    const got = pool.inbox.get(to.id)!.filter((d) => d.message.id === id);
    expect(got).toHaveLength(1);
    expect(got[0]!.via).toBe('directed');
    const frames = nodes.reduce((a, x, i) => a + x.stats.framesSent - before[i]!, 0);
    // Only the nodes on the path forwarded it and its ack: one frame per hop each way.
    expect(frames).toBeLessThanOrEqual(2 * got[0]!.hops);
    expect(from.stats.directedRetries).toBe(0);
    for (const other of nodes) {
      if (other === to) continue;
      expect(pool.inbox.get(other.id)!.some((d) => d.message.id === id)).toBe(false);
    }
  });

  it('[RT6] chunk traffic to several destinations forks where their paths diverge', async () => {
    const pool = await createTestPool(100, { seed: 9 });
    const nodes = [...pool.nodes.values()];
    const from = nodes[0]!;
    const dests = [nodes[60]!, nodes[80]!, nodes[99]!];
    const got = new Map<string, number>();
    for (const d of dests) d.onChunk(() => got.set(d.id, (got.get(d.id) ?? 0) + 1));
    from.sendChunk(
      dests.map((d) => ({ nodeId: d.id, path: d.position!.path })),
      { fileId: 'file-1', index: 3, data: new Uint8Array([1, 2, 3]) },
      0,
    );
    await pool.settle();
    for (const d of dests) expect(got.get(d.id)).toBe(1);
  });
});

describe('directed delivery with acks', () => {
  it('[RT7] a directed message lost with a relay that left is sent again and arrives once', async () => {
    const pool = await createTestPool(80, { seed: 17 });
    const nodes = [...pool.nodes.values()];
    const from = nodes[70]!;
    const to = nodes[75]!;
    const id = from.sendTo([{ nodeId: to.id, path: to.position!.path }], {
      case: 'retractRequest',
      value: { $typeName: 'poolnet.v1.RetractRequest', fileId: 'f2' },
    });
    // Every other node leaves while it is in flight: whatever path it took is gone.
    await pool.clock.advance(3);
    for (const n of nodes) if (n !== from && n !== to && n.id !== 'n1') pool.remove(n.id);
    await pool.settle();
    const got = pool.inbox.get(to.id)!.filter((d) => d.message.id === id);
    expect(got).toHaveLength(1);
    expect(from.stats.directedRetries).toBeGreaterThan(0); // the first copy was lost
    expect(from.stats.directedGaveUp).toBe(0);
  });

  it('[RT7] a destination that never answers is given up after the last attempt', async () => {
    const pool = await createTestPool(10, {
      seed: 18,
      config: { ackTimeoutMs: 100, ackAttempts: 3 },
    });
    const [from, to] = [...pool.nodes.values()];
    const path = to!.position!.path;
    pool.remove(to!.id);
    await pool.settle();
    from!.sendTo([{ nodeId: to!.id, path }], {
      case: 'retractRequest',
      value: { $typeName: 'poolnet.v1.RetractRequest', fileId: 'f3' },
    });
    await pool.settle();
    expect(from!.stats.directedRetries).toBe(2);
    expect(from!.stats.directedGaveUp).toBe(1);
  });
});
