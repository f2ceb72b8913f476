import { FileOfferSchema, asNodeId, create } from '@poolnet/protocol';
import type { Content } from '../../src/node/pool-node.js';
import { describe, expect, it } from 'vitest';
import { pool as createTestPool } from '../helpers.js';

const fileOffer = (fileId: string, name: string): Content => ({
  case: 'fileOffer',
  value: create(FileOfferSchema, {
    files: [
      {
        fileId,
        name,
        size: 1000n,
        originNodeId: 'n1',
        sha256: new Uint8Array(32),
        chunkSize: 65536,
        chunkHashesRoot: new Uint8Array(32),
        mime: 'text/plain',
      },
    ],
  }),
});

describe('latest sync and reconciliation', () => {
  it('[SYNC1] a node that joins gets the latest messages and the offers with their seeders', async () => {
    const pool = await createTestPool(12, { seed: 21 });
    const n1 = pool.nodes.get(asNodeId('n1'))!;
    n1.broadcast(fileOffer('file-a', 'a.txt'));
    for (let i = 0; i < 5; i++) pool.nodes.get(asNodeId(`n${2 + i}`))!.sendText(`before ${i}`);
    await pool.settle();
    await pool.clock.advance(10_000);
    const late = pool.add('late');
    await pool.settle();
    // In the order its neighbour received them (arrival order, not sender clocks).
    expect(pool.texts(late.id).sort()).toEqual([
      'before 0',
      'before 1',
      'before 2',
      'before 3',
      'before 4',
    ]);
    expect(pool.inbox.get(late.id)!.every((d) => d.via === 'sync')).toBe(true);
    expect(late.offers.get('file-a')?.name).toBe('a.txt');
    expect(late.offers.seedersOf('file-a')).toEqual(['n1']);
    // Live traffic after the sync arrives normally.
    n1.sendText('after');
    await pool.settle();
    expect(pool.texts(late.id).at(-1)).toBe('after');
  });

  it('[SYNC2] the latest reply is bounded by encoded size', async () => {
    const pool = await createTestPool(4, { seed: 22, config: { latestMaxBytes: 3000 } });
    const n2 = pool.nodes.get(asNodeId('n2'))!;
    for (let i = 0; i < 30; i++) n2.sendText(`message ${i} ${'x'.repeat(200)}`);
    await pool.settle();
    await pool.clock.advance(10_000);
    const late = pool.add('late');
    await pool.settle();
    const got = pool.texts(late.id);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(30);
    // What it got is the newest tail, in order, and nothing came around the bound.
    expect(got.at(-1)).toMatch(/^message 29 /);
    expect(pool.inbox.get(late.id)!.every((d) => d.via === 'sync')).toBe(true);
  });

  it('[SYNC3] nodes that stay lose nothing broadcast while links move under churn', async () => {
    const pool = await createTestPool(60, { seed: 23 });
    const sent: string[] = [];
    const leaving = ['n3', 'n11', 'n17', 'n25', 'n31', 'n40'];
    for (let round = 0; round < 6; round++) {
      const sender = pool.nodes.get(asNodeId(`n${45 + round}`))!;
      sender.sendText(`round ${round}`);
      sent.push(`round ${round}`);
      await pool.clock.advance(4); // the broadcast is in flight …
      pool.remove(asNodeId(leaving[round]!)); // … when a node leaves and the tree re-forms
      pool.add(`new${round}`);
      await pool.clock.advance(3);
    }
    await pool.settle();
    for (const [id] of pool.nodes) {
      if (id.startsWith('new')) continue;
      expect(pool.texts(id).sort(), `node ${id}`).toEqual([...sent].sort());
    }
    const repaired = [...pool.inbox.values()].flat().filter((d) => d.via === 'reconcile').length;
    const duplicates = [...pool.nodes.values()].reduce((a, n) => a + n.stats.duplicates, 0);
    expect(duplicates).toBeLessThanOrEqual(repaired + 6);
  });

  it('[SYNC2] a latest reply always fits one package, whatever the bounds are set to', async () => {
    const pool = await createTestPool(4, {
      seed: 24,
      config: { latestMaxBytes: 4 * 1024 * 1024, latestMaxMessages: 500, maxTextBytes: 16 * 1024 },
    });
    const n2 = pool.nodes.get(asNodeId('n2'))!;
    for (let i = 0; i < 40; i++) n2.sendText(`big ${i} ${'z'.repeat(15_000)}`);
    await pool.settle();
    await pool.clock.advance(10_000);
    const late = pool.add('late');
    await pool.settle();
    const got = pool.texts(late.id);
    // 40 × 15 KB cannot fit in 256 KiB: the newest that fit arrived, nothing was refused.
    expect(got.length).toBeGreaterThan(5);
    expect(got.length).toBeLessThan(40);
    expect(got.at(-1)).toMatch(/^big 39 /);
  });
});
