import { ErrorCode, asNodeId, positionToWire } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { POOL, type TestNode, errorsOf, lastPosition, testHub } from './fixture.js';

describe('heartbeats, silence and reconnects', () => {
  it('[SIG8] a heartbeat is answered with its own time and the server time', async () => {
    const { join, clock } = testHub();
    const node = await join('a');
    node.conn.take();
    const seq = await node.send({ case: 'heartbeat', value: { sentMs: 123n } });
    const [frame] = node.conn.take();
    expect(frame?.ackSeq).toBe(seq);
    expect(frame?.body).toMatchObject({
      case: 'heartbeatAck',
      value: { sentMs: 123n, serverMs: BigInt(clock.now()) },
    });
  });

  it('[SIG8] a silent node is closed and removed, and its subtree re-placed', async () => {
    const { hub, join, clock } = testHub({ limits: { heartbeatTimeoutMs: 1000 } });
    const nodes: TestNode[] = [];
    for (let i = 1; i <= 12; i++) nodes.push(await join(`n${i}`));
    const topology = hub.topologyOf(POOL)!;
    // n1 sits in center panel 2 and has a child cluster below it.
    expect(
      topology
        .positionOf(asNodeId('n1'))
        .children.flat()
        .some((id) => id !== null),
    ).toBe(true);
    const [silent, ...talking] = nodes;
    await clock.advance(600);
    for (const node of talking) await node.heartbeat();
    await clock.advance(399);
    expect(silent!.conn.closedWith).toBeUndefined();
    await clock.advance(1);
    expect(errorsOf(silent!.conn.frames).at(-1)).toEqual([ErrorCode.EXPIRED, 0]);
    expect(silent!.conn.closedWith).toEqual({ code: 4010, reason: 'SILENT' });
    expect(topology.has(asNodeId('n1'))).toBe(false);
    expect(topology.size).toBe(11);
    topology.checkInvariants();
    const left = talking[0]!.conn.frames.find((f) => f.body.case === 'memberLeft');
    expect(left?.body.case === 'memberLeft' && left.body.value.promoted.length).toBeGreaterThan(0);
    for (const node of talking) {
      expect(node.conn.closedWith).toBeUndefined();
      expect(lastPosition(node.conn)).toEqual(
        positionToWire(topology.positionOf(asNodeId(node.id))),
      );
    }
    expect(hub.metrics().silentClosed).toBe(1);
  });

  it('[SIG6] a reconnect evicts the old session first and leaves exactly one node', async () => {
    const { hub, join } = testHub();
    const nodes: TestNode[] = [];
    for (let i = 1; i <= 6; i++) nodes.push(await join(`n${i}`));
    const old = nodes[2]!;
    const witness = nodes[0]!;
    witness.conn.take();
    const fresh = await join('n3');
    // The old connection is told why and closed.
    expect(errorsOf(old.conn.frames).at(-1)).toEqual([ErrorCode.CONFLICT, 0]);
    expect(old.conn.closedWith).toEqual({ code: 4009, reason: 'EVICTED' });
    // Everyone else saw the old node leave before the new one joined.
    const news = witness.conn
      .take()
      .filter((f) => f.body.case === 'memberLeft' || f.body.case === 'memberJoined')
      .map((f) => f.body.case);
    expect(news).toEqual(['memberLeft', 'memberJoined']);
    const topology = hub.topologyOf(POOL)!;
    expect(topology.nodeIds().filter((id) => id === 'n3')).toHaveLength(1);
    expect(topology.size).toBe(6);
    topology.checkInvariants();
    // The old socket's late close touches nothing.
    old.session.closed();
    await old.heartbeat();
    expect(topology.has(asNodeId('n3'))).toBe(true);
    expect(fresh.conn.closedWith).toBeUndefined();
    expect(hub.metrics()).toMatchObject({ evictions: 1, connectedSessions: 6 });
    // And the new session works.
    fresh.conn.take();
    await fresh.heartbeat();
    expect(fresh.conn.take().map((f) => f.body.case)).toEqual(['heartbeatAck']);
  });

  it('[SIG6] a lone device reconnecting keeps its pool alive', async () => {
    const { hub, join } = testHub();
    const old = await join('solo');
    const fresh = await join('solo');
    expect(old.conn.closedWith?.reason).toBe('EVICTED');
    expect(hub.topologyOf(POOL)?.nodeIds()).toEqual(['solo']);
    expect(hub.metrics().livePools).toBe(1);
    expect(fresh.conn.take().map((f) => f.body.case)).toEqual(['joined']);
  });
});
