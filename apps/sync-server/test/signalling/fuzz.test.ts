/**
 * [SIG11] Whatever bytes a connection sends, `receive` settles, bad frames are answered with
 * the decoder's error code, and no other connection or the topology is touched. The seed is
 * printed; rerun a failure with FUZZ_SEED=<seed> (FUZZ_RUNS=<n> for more).
 */
import fc from 'fast-check';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  ProtocolError,
  asNodeId,
  decodeClientFrame,
  encodeClientFrame,
  toWireErrorCode,
} from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { POOL, type TestNode, errorsOf, testHub } from './fixture.js';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 200);
console.info(`[SIG11] fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);

const samples = [
  encodeClientFrame({ version: PROTOCOL_VERSION, seq: 3, body: { case: 'heartbeat', value: {} } }),
  encodeClientFrame({
    version: PROTOCOL_VERSION,
    seq: 4,
    body: { case: 'signal', value: { toNodeId: 'n2', payload: new Uint8Array([1, 2, 3]) } },
  }),
  encodeClientFrame({
    version: PROTOCOL_VERSION,
    seq: 5,
    body: { case: 'join', value: { poolId: POOL, device: { deviceId: 'n1', name: 'x' } } },
  }),
  encodeClientFrame({
    version: PROTOCOL_VERSION,
    seq: 6,
    body: { case: 'report', value: { nodeId: 'n2', reason: 2 } },
  }),
];

/** Random bytes, and valid frames with bytes flipped, cut or appended. */
const frames = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([sample, flips, cut, tail]) => {
      const bytes = Uint8Array.from(sample);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      const kept = bytes.subarray(0, bytes.length - (cut % 3));
      const out = new Uint8Array(kept.length + tail.length);
      out.set(kept);
      out.set(tail, kept.length);
      return out;
    }),
  fc.constant(new Uint8Array(70 * 1024)),
);

const decodeError = (bytes: Uint8Array): ProtocolError | undefined => {
  try {
    decodeClientFrame(bytes);
    return undefined;
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
};

async function bench(maxBadFrames: number) {
  const hub = testHub({ limits: { maxBadFrames, heartbeatTimeoutMs: 600_000 } });
  const nodes: TestNode[] = [];
  for (let i = 1; i <= 8; i++) nodes.push(await hub.join(`n${i}`));
  for (const node of nodes) node.conn.take();
  const topology = hub.hub.topologyOf(POOL)!;
  const snapshot = () => topology.nodeIds().map((id) => [id, topology.positionOf(id)]);
  return { ...hub, nodes, topology, snapshot };
}

describe('bad frames', () => {
  it('[SIG11] undecodable frames get an error with the decoder code and touch nobody else', async () => {
    const { nodes, snapshot, hub } = await bench(1_000_000);
    const [fuzzer, ...others] = nodes;
    const before = snapshot();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(frames, async (bytes) => {
        const err = decodeError(bytes);
        fc.pre(err !== undefined);
        sent++;
        await expect(fuzzer!.session.receive(bytes)).resolves.toBeUndefined();
        expect(errorsOf(fuzzer!.conn.take())).toEqual([[toWireErrorCode(err!.code), 0]]);
        for (const other of others) expect(other.conn.take()).toEqual([]);
      }),
      { seed, numRuns },
    );
    expect(snapshot()).toEqual(before);
    expect(fuzzer!.conn.closedWith).toBeUndefined();
    expect(hub.metrics().badFrames).toBe(sent);
  });

  it('[SIG11] any bytes at all settle receive and leave a consistent hub', async () => {
    const { nodes, topology } = await bench(3);
    const [fuzzer] = nodes;
    await fc.assert(
      fc.asyncProperty(frames, async (bytes) => {
        await expect(fuzzer!.session.receive(bytes)).resolves.toBeUndefined();
        topology.checkInvariants();
      }),
      { seed, numRuns },
    );
    for (const node of nodes.slice(1)) expect(node.conn.lateSends).toBe(0);
  });

  it('[SIG11] the maxBadFrames-th bad frame within the window closes the connection', async () => {
    const { nodes, clock, topology } = await bench(3);
    const [node, other] = nodes;
    const junk = new Uint8Array([0xff, 0xff, 0xff]);
    await node!.session.receive(junk);
    await node!.session.receive(junk);
    await clock.advance(60_000);
    // The first two fell out of the window.
    await node!.session.receive(junk);
    await node!.session.receive(junk);
    expect(node!.conn.closedWith).toBeUndefined();
    await node!.session.receive(junk);
    expect(errorsOf(node!.conn.take())).toEqual([
      ...Array.from({ length: 5 }, () => [ErrorCode.MALFORMED_FRAME, 0]),
      [ErrorCode.MALFORMED_FRAME, 0],
    ]);
    expect(node!.conn.closedWith).toEqual({ code: 4001, reason: 'TOO_MANY_BAD_FRAMES' });
    expect(topology.has(asNodeId(node!.id))).toBe(false);
    expect(other!.conn.closedWith).toBeUndefined();
  });

  it('[SIG11] a bad first frame gets its error and closes the connection', async () => {
    const { connect } = testHub();
    const node = connect();
    await node.session.receive(new Uint8Array([0x08, 0x02]));
    expect(errorsOf(node.conn.frames)).toEqual([[ErrorCode.UNSUPPORTED_VERSION, 0]]);
    expect(node.conn.closedWith).toEqual({ code: 4005, reason: 'NOT_AUTHENTICATED' });
  });
});
