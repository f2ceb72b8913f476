import { ErrorCode, ReportReason, type ServerFrame, asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { POOL, type TestNode, errorsOf, testHub } from './fixture.js';

const labels = (frames: readonly ServerFrame[]) =>
  frames.map((f) =>
    f.body.case === 'connect' || f.body.case === 'disconnect' || f.body.case === 'verify'
      ? `${f.body.case} ${f.body.value.nodeId}`
      : (f.body.case ?? 'empty'),
  );

/** A pool of `n` nodes and one linked pair (reporter, target) in it. */
async function pool(n: number, limits = {}) {
  const bench = testHub({
    limits: { verifyTimeoutMs: 1000, heartbeatTimeoutMs: 60_000, ...limits },
  });
  const nodes = new Map<string, TestNode>();
  for (let i = 1; i <= n; i++) nodes.set(`n${i}`, await bench.join(`n${i}`));
  const topology = bench.hub.topologyOf(POOL)!;
  const target = nodes.get('n1')!;
  const reporterId = [...topology.linksOf(asNodeId('n1')).keys()][0]!;
  const reporter = nodes.get(reporterId)!;
  for (const node of nodes.values()) node.conn.take();
  return { ...bench, nodes, topology, target, reporter };
}

describe('reports', () => {
  it('[SIG9] a report about a node that is not a neighbour is refused', async () => {
    const { nodes, topology } = await pool(12);
    const reporter = nodes.get('n12')!;
    const stranger = [...nodes.keys()].find(
      (id) => id !== 'n12' && !topology.linksOf(asNodeId('n12')).has(asNodeId(id)),
    )!;
    const seq = await reporter.send({ case: 'report', value: { nodeId: stranger } });
    expect(errorsOf(reporter.conn.take())).toEqual([[ErrorCode.FORBIDDEN, seq]]);
    expect(nodes.get(stranger)!.conn.take()).toEqual([]);
  });

  it('[SIG9] a reported node that does not answer verify is removed and its place filled', async () => {
    const { hub, clock, topology, target, reporter } = await pool(12);
    await reporter.send({
      case: 'report',
      value: { nodeId: 'n1', reason: ReportReason.UNREACHABLE },
    });
    expect(labels(target.conn.take())).toEqual([`verify ${reporter.id}`]);
    // A repeat while the question is open asks nothing new.
    await reporter.send({ case: 'report', value: { nodeId: 'n1' } });
    expect(target.conn.take()).toEqual([]);
    await clock.advance(999);
    expect(topology.has(asNodeId('n1'))).toBe(true);
    await clock.advance(1);
    expect(target.conn.closedWith).toEqual({ code: 4010, reason: 'UNANSWERED_VERIFY' });
    expect(topology.has(asNodeId('n1'))).toBe(false);
    expect(topology.size).toBe(11);
    topology.checkInvariants();
    expect(reporter.conn.closedWith).toBeUndefined();
    expect(hub.metrics()).toMatchObject({ verifies: 1, deadRemoved: 1, falseReports: 0 });
  });

  it('[SIG9] when both ends say the link is down, it is ordered again and nobody is removed', async () => {
    const { hub, clock, topology, target, reporter } = await pool(6);
    await reporter.send({ case: 'report', value: { nodeId: 'n1' } });
    target.conn.take();
    await target.send({ case: 'verifyReply', value: { nodeId: reporter.id, reachable: false } });
    const aInitiates = topology.linksOf(asNodeId('n1')).get(asNodeId(reporter.id));
    const targetFrames = target.conn.take();
    expect(labels(targetFrames)).toEqual([`disconnect ${reporter.id}`, `connect ${reporter.id}`]);
    expect(targetFrames[1]?.body).toMatchObject({ value: { initiator: aInitiates } });
    expect(labels(reporter.conn.take())).toEqual(['disconnect n1', 'connect n1']);
    await clock.advance(5000);
    expect(topology.size).toBe(6);
    expect(hub.metrics()).toMatchObject({ verifies: 1, deadRemoved: 0, falseReports: 0 });
    // An answer nobody asked for is ignored.
    await target.send({ case: 'verifyReply', value: { nodeId: reporter.id, reachable: true } });
    expect(target.conn.take()).toEqual([]);
  });

  it('[SIG10] a device whose reports are false too often is disconnected', async () => {
    const { hub, topology, target, reporter } = await pool(6, { falseReportsTolerated: 2 });
    for (let round = 1; round <= 3; round++) {
      await reporter.send({ case: 'report', value: { nodeId: 'n1' } });
      // Each round asks again (after the previous round's link re-order).
      expect(labels(target.conn.take()).at(-1)).toBe(`verify ${reporter.id}`);
      await target.send({ case: 'verifyReply', value: { nodeId: reporter.id, reachable: true } });
      if (round < 3) expect(reporter.conn.closedWith).toBeUndefined();
    }
    expect(errorsOf(reporter.conn.frames).at(-1)).toEqual([ErrorCode.FORBIDDEN, 0]);
    expect(reporter.conn.closedWith).toEqual({ code: 4006, reason: 'FALSE_REPORTS' });
    expect(topology.has(asNodeId(reporter.id))).toBe(false);
    expect(topology.has(asNodeId('n1'))).toBe(true);
    expect(target.conn.closedWith).toBeUndefined();
    expect(hub.metrics().falseReports).toBe(3);
  });

  it('[SIG10] false reports spread beyond the window are forgiven', async () => {
    const { clock, target, reporter } = await pool(6, {
      falseReportsTolerated: 1,
      falseReportWindowMs: 1000,
    });
    for (let round = 1; round <= 4; round++) {
      await reporter.send({ case: 'report', value: { nodeId: 'n1' } });
      await target.send({ case: 'verifyReply', value: { nodeId: reporter.id, reachable: true } });
      await reporter.heartbeat();
      await target.heartbeat();
      await clock.advance(1000);
    }
    expect(reporter.conn.closedWith).toBeUndefined();
  });

  it('[SIG9] a misbehaving report is counted only: the server never sees payloads', async () => {
    const { hub, target, reporter, topology } = await pool(6);
    await reporter.send({
      case: 'report',
      value: { nodeId: 'n1', reason: ReportReason.MISBEHAVING },
    });
    expect(target.conn.take()).toEqual([]);
    expect(topology.size).toBe(6);
    expect(hub.metrics()).toMatchObject({ misbehaviourReports: 1, verifies: 0 });
  });

  it('[SIG9] a reporter that leaves cancels its question', async () => {
    const { clock, topology, target, reporter } = await pool(6);
    await reporter.send({ case: 'report', value: { nodeId: 'n1' } });
    await reporter.send({ case: 'leave', value: {} });
    await target.heartbeat();
    await clock.advance(5000);
    expect(topology.has(asNodeId('n1'))).toBe(true);
    expect(target.conn.closedWith).toBeUndefined();
  });
});
