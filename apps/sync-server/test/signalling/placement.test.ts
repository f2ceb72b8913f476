import { type NodeId, type ServerFrame, asNodeId, positionToWire } from '@poolnet/protocol';
import { Topology, type TopologyChange } from '@poolnet/engine/topology';
import { describe, expect, it } from 'vitest';
import { POOL, type TestNode, lastPosition, testHub } from './fixture.js';

/** A frame as a short label, to compare sequences. */
function label(frame: ServerFrame): string {
  const body = frame.body;
  switch (body.case) {
    case 'connect':
      return `connect ${body.value.nodeId} ${body.value.initiator ? 'initiator' : 'responder'}`;
    case 'disconnect':
      return `disconnect ${body.value.nodeId}`;
    case 'memberJoined':
      return `memberJoined ${body.value.members.map((m) => m.nodeId).join(',')}`;
    case 'memberLeft':
      return `memberLeft ${body.value.nodeId} ${body.value.promoted.map((p) => p.nodeId).join(',')}`;
    default:
      return body.case ?? 'empty';
  }
}

/**
 * [SIG2]/[SIG7] What each node must receive for one change, in order: the newcomer `joined`;
 * the others their `position`; then every disconnect, then every connect that involves the
 * node; then, for the others, the membership news.
 */
function expected(change: TopologyChange, online: readonly NodeId[]): Map<NodeId, string[]> {
  const out = new Map<NodeId, string[]>(online.map((id) => [id, []]));
  const push = (id: NodeId, text: string) => out.get(id)?.push(text);
  for (const id of change.positions.keys()) push(id, id === change.added ? 'joined' : 'position');
  for (const { a, b } of change.disconnects) {
    push(a, `disconnect ${b}`);
    push(b, `disconnect ${a}`);
  }
  for (const { initiator, responder } of change.connects) {
    push(initiator, `connect ${responder} initiator`);
    push(responder, `connect ${initiator} responder`);
  }
  for (const id of online) {
    if (change.added !== undefined && id !== change.added) push(id, `memberJoined ${change.added}`);
    if (change.removed !== undefined) {
      push(id, `memberLeft ${change.removed} ${change.promoted.map((p) => p.nodeId).join(',')}`);
    }
  }
  return out;
}

describe('placement and orders', () => {
  it('[SIG2] every join and leave sends positions, then disconnects, then connects, to both ends', async () => {
    const { join } = testHub();
    const reference = new Topology();
    const nodes = new Map<NodeId, TestNode>();
    const check = (change: TopologyChange) => {
      const want = expected(change, [...nodes.keys()]);
      for (const [id, node] of nodes) expect(node.conn.take().map(label), id).toEqual(want.get(id));
    };
    for (let i = 1; i <= 30; i++) {
      const id = asNodeId(`n${i}`);
      const node = await join(id);
      nodes.set(id, node);
      check(reference.add(id));
    }
    // Leaves from the center and the middle, so nodes are promoted.
    for (const id of ['n1', 'n13', 'n2', 'n30', 'n10'].map(asNodeId)) {
      await nodes.get(id)?.send({ case: 'leave', value: {} });
      expect(nodes.get(id)?.conn.closedWith).toEqual({ code: 1000, reason: 'leave' });
      nodes.delete(id);
      const change = reference.remove(id);
      check(change);
      if (id === 'n1') expect(change.promoted.length).toBeGreaterThan(0);
    }
  });

  it('[SIG7] each of N nodes is told the position Topology.positionOf gives, and the members', async () => {
    const { hub, join } = testHub();
    const nodes: TestNode[] = [];
    for (let i = 1; i <= 40; i++) {
      const node = await join(`n${i}`);
      const [first] = node.conn.take();
      expect(first?.body.case).toBe('joined');
      if (first?.body.case !== 'joined') continue;
      const joined = first.body.value;
      expect(first.ackSeq).toBe(2);
      expect(joined.poolId).toBe(POOL);
      expect(joined.nodeId).toBe(`n${i}`);
      expect(joined.memberCount).toBe(i);
      expect(joined.members.map((m) => m.nodeId)).toEqual(
        Array.from({ length: i }, (_, k) => `n${k + 1}`),
      );
      const topology = hub.topologyOf(POOL);
      for (const member of joined.members) {
        expect(member.path).toEqual(topology?.positionOf(asNodeId(member.nodeId)).path);
        expect(member.userId).toBe(`u-${member.nodeId}`);
      }
      expect(joined.cert?.nodeId).toBe(`n${i}`);
      nodes.push(node);
    }
    const topology = hub.topologyOf(POOL);
    topology?.checkInvariants();
    for (const node of nodes) {
      // The latest position each node holds is the one the topology has for it now.
      const want = positionToWire(topology!.positionOf(asNodeId(node.id)));
      expect(lastPosition(node.conn)).toEqual(want);
    }
  });

  it('[SIG3] the epochs a node receives never go down', async () => {
    const { join } = testHub();
    const nodes: TestNode[] = [];
    for (let i = 1; i <= 20; i++) nodes.push(await join(`n${i}`));
    for (const node of nodes.slice(0, 8)) await node.send({ case: 'leave', value: {} });
    for (const node of nodes) {
      let epoch = 0n;
      for (const frame of node.conn.frames) {
        const position =
          frame.body.case === 'joined' || frame.body.case === 'position'
            ? frame.body.value.position
            : undefined;
        if (!position) continue;
        expect(position.epoch).toBeGreaterThanOrEqual(epoch);
        epoch = position.epoch;
      }
    }
  });

  it('[SIG12] leave and socket close remove the node; the last one drops the pool', async () => {
    const { hub, join } = testHub();
    const a = await join('a');
    const b = await join('b');
    const c = await join('c');
    expect(hub.metrics()).toMatchObject({ livePools: 1, connectedSessions: 3, joins: 3 });
    await a.send({ case: 'leave', value: {} });
    expect(hub.topologyOf(POOL)?.nodeIds()).toEqual(['b', 'c']);
    b.session.closed();
    b.session.closed();
    expect(hub.topologyOf(POOL)?.nodeIds()).toEqual(['c']);
    expect(c.conn.frames.filter((f) => f.body.case === 'memberLeft')).toHaveLength(2);
    c.session.closed();
    expect(hub.topologyOf(POOL)).toBeUndefined();
    expect(hub.metrics()).toMatchObject({ livePools: 0, connectedSessions: 0 });
    // A new join starts a fresh pool.
    const d = await join('d');
    expect(hub.topologyOf(POOL)?.nodeIds()).toEqual(['d']);
    expect(d.conn.frames[1]?.body).toMatchObject({ case: 'joined', value: { memberCount: 1 } });
  });
});

describe('reconnect grace', () => {
  /** Join 20, then n15 drops, then three nodes of another cluster, which TOP1 now fills first. */
  async function dropTwo(graceMs: number) {
    const { join, clock } = testHub({ limits: { reconnectGraceMs: graceMs } });
    const reference = new Topology();
    const nodes = new Map<string, TestNode>();
    for (let i = 1; i <= 20; i++) {
      nodes.set(`n${i}`, await join(`n${i}`));
      reference.add(asNodeId(`n${i}`));
    }
    const seatOf = (id: string) => {
      const p = lastPosition((nodes.get(id) as TestNode).conn);
      return `${(p?.path ?? []).join('.')}/${String(p?.slot)}`;
    };
    const before = seatOf('n15');
    for (const id of ['n15', 'n10', 'n13', 'n16']) {
      (nodes.get(id) as TestNode).session.closed();
      reference.remove(asNodeId(id));
    }
    return { join, clock, nodes, seatOf, before, reference };
  }

  it('[SIG16] a device rejoining within the grace period gets its old seat back when it is still free', async () => {
    const { join, nodes, seatOf, before, reference } = await dropTwo(30_000);
    reference.add(asNodeId('n15'));
    const byTop1 = reference.positionOf(asNodeId('n15'));
    nodes.set('n15', await join('n15'));
    expect(seatOf('n15')).toBe(before);
    // TOP1 alone would have put it elsewhere, so the seat really came from the grace record.
    expect(`${byTop1.path.join('.')}/${byTop1.slot}`).not.toBe(before);
  });

  it('[SIG16] after the grace period the device is placed like any newcomer', async () => {
    const { join, clock, nodes, seatOf, reference } = await dropTwo(30_000);
    await clock.advance(30_001);
    reference.add(asNodeId('n15'));
    const byTop1 = reference.positionOf(asNodeId('n15'));
    nodes.set('n15', await join('n15'));
    expect(seatOf('n15')).toBe(`${byTop1.path.join('.')}/${byTop1.slot}`);
  });
});

describe('member announcements', () => {
  it('[SIG7] joins within memberAnnounceDelayMs reach the others as one memberJoined', async () => {
    const { join, clock } = testHub({ limits: { memberAnnounceDelayMs: 50 } });
    const first = await join('m1');
    await clock.advance(100);
    first.conn.take();
    const second = await join('m2');
    const third = await join('m3');
    const announced = () =>
      first.conn.frames.flatMap((f) =>
        f.body.case === 'memberJoined' ? [f.body.value.members.map((m) => m.nodeId)] : [],
      );
    expect(announced()).toEqual([]);
    await clock.advance(50);
    expect(announced()).toEqual([['m2', 'm3']]);
    // m2 joined before m3 existed: the batch tells it about m3.
    const toSecond = second.conn.frames.flatMap((f) =>
      f.body.case === 'memberJoined' ? f.body.value.members.map((m) => m.nodeId) : [],
    );
    expect(toSecond).toContain('m3');
    expect(third.conn.frames.some((f) => f.body.case === 'joined')).toBe(true);
  });
});

describe('the member list of a newcomer', () => {
  it('[SIG7] beyond the first 64 members it follows in memberJoined frames, complete and in join order, also after a leave', async () => {
    const { join } = testHub();
    const nodes: TestNode[] = [];
    for (let i = 1; i <= 150; i++) nodes.push(await join(`p${i}`));
    const listOf = (node: TestNode) => {
      const ids: string[] = [];
      for (const f of node.conn.frames) {
        if (f.body.case === 'joined') ids.push(...f.body.value.members.map((m) => m.nodeId));
        if (f.body.case === 'memberJoined') ids.push(...f.body.value.members.map((m) => m.nodeId));
      }
      return ids;
    };
    const last = nodes[149] as TestNode;
    expect(listOf(last)).toEqual(Array.from({ length: 150 }, (_, k) => `p${k + 1}`));
    // A leave reorders the list: the next newcomer still gets exactly who is there.
    (nodes[10] as TestNode).session.closed();
    const late = await join('late');
    const expected = [
      ...Array.from({ length: 150 }, (_, k) => `p${k + 1}`).filter((id) => id !== 'p11'),
      'late',
    ];
    expect([...listOf(late)].sort()).toEqual([...expected].sort());
  });
});
