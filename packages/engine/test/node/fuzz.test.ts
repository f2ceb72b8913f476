import fc from 'fast-check';
import { asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import type { TestPool } from '../../src/testing/index.js';
import { pool as createTestPool } from '../helpers.js';

type Internals = {
  links: { send(peer: string, channel: string, frame: Uint8Array): boolean };
  neighbours(): string[];
};

/** Capture real frames leaving a node, to mutate them. */
function captureFrames(pool: TestPool, id: string): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const node = pool.nodes.get(asNodeId(id)) as unknown as Internals;
  const original = node.links.send.bind(node.links);
  node.links.send = (peer, channel, frame) => {
    frames.push(frame);
    return original(peer, channel, frame);
  };
  return frames;
}

describe('engine under hostile frames', () => {
  it('[WIRE-ENGINE] random and mutated frames never crash a node, are counted, and delivery goes on', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const pool = await createTestPool(20, { seed: 31 });
    const frames = captureFrames(pool, 'n9');
    pool.nodes.get(asNodeId('n9'))!.sendText('sample');
    pool.nodes
      .get(asNodeId('n9'))!
      .sendTo([{ nodeId: asNodeId('n2'), path: pool.nodes.get(asNodeId('n2'))!.position!.path }], {
        case: 'retractRequest',
        value: { $typeName: 'poolnet.v1.RetractRequest', fileId: 'f' },
      });
    await pool.settle();
    expect(frames.length).toBeGreaterThan(0);
    const attacker = pool.nodes.get(asNodeId('n9')) as unknown as Internals;
    const mutated = fc
      .tuple(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
        fc.option(fc.nat()),
      )
      .map(([frame, flips, cut]) => {
        const f = frame.slice(0, cut === null ? frame.length : cut % (frame.length + 1));
        for (const [at, x] of flips) if (f.length > 0) f[at % f.length]! ^= x;
        return f;
      });
    const garbage = fc.uint8Array({ maxLength: 2048 });
    const batch = fc.sample(fc.oneof(mutated, garbage), { numRuns: 400, seed });
    for (const frame of batch) {
      for (const peer of attacker.neighbours()) attacker.links.send(peer, 'control', frame);
    }
    await pool.settle();
    const malformed = [...pool.nodes.values()].reduce(
      (a, n) => a + n.stats.malformed + n.stats.badSignature,
      0,
    );
    expect(malformed, `seed ${seed}`).toBeGreaterThan(0);
    // The pool still delivers, from anyone to everyone.
    pool.nodes.get(asNodeId('n14'))!.sendText('still alive');
    await pool.settle();
    for (const id of pool.nodes.keys())
      expect(pool.texts(id), `seed ${seed}`).toContain('still alive');
  });
});
