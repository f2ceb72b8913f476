import { ErrorCode, asNodeId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { POOL, type TestNode, errorsOf, testHub } from './fixture.js';

describe('signal relay', () => {
  it('[SIG1] a signal is relayed only between two nodes the topology links', async () => {
    const { hub, join } = testHub();
    const nodes = new Map<string, TestNode>();
    for (let i = 1; i <= 15; i++) nodes.set(`n${i}`, await join(`n${i}`));
    const topology = hub.topologyOf(POOL)!;
    for (const node of nodes.values()) node.conn.take();

    let relayed = 0;
    let refused = 0;
    for (const [from, sender] of nodes) {
      const links = topology.linksOf(asNodeId(from));
      for (const to of [...nodes.keys(), 'nobody']) {
        if (to === from) continue;
        const payload = new TextEncoder().encode(`sdp ${from}->${to}`);
        const seq = await sender.send({ case: 'signal', value: { toNodeId: to, payload } });
        const receiver = nodes.get(to);
        if (links.has(asNodeId(to))) {
          relayed++;
          expect(errorsOf(sender.conn.take())).toEqual([]);
          const [frame] = receiver!.conn.take();
          expect(frame?.body).toEqual(
            expect.objectContaining({
              case: 'signal',
              value: expect.objectContaining({ fromNodeId: from, payload }),
            }),
          );
        } else {
          refused++;
          expect(errorsOf(sender.conn.take())).toEqual([[ErrorCode.FORBIDDEN, seq]]);
          expect(receiver?.conn.take() ?? []).toEqual([]);
        }
      }
    }
    expect(relayed).toBeGreaterThan(0);
    expect(hub.metrics()).toMatchObject({ relayedSignals: relayed, refusedSignals: refused });
    for (const node of nodes.values()) expect(node.conn.closedWith).toBeUndefined();
  });

  it('[SIG1] after a leave the old link is refused and the new one relayed', async () => {
    const { hub, join } = testHub();
    const nodes = new Map<string, TestNode>();
    for (let i = 1; i <= 10; i++) nodes.set(`n${i}`, await join(`n${i}`));
    const topology = hub.topologyOf(POOL)!;
    const leaver = asNodeId('n1');
    const before = new Map([...nodes.keys()].map((id) => [id, topology.linksOf(asNodeId(id))]));
    const neighbour = [...topology.linksOf(leaver).keys()][0]!;
    await nodes.get(leaver)!.send({ case: 'leave', value: {} });
    nodes.delete(leaver);
    // A link that exists only since the leave (a promoted node's new neighbours).
    const fresh = [...nodes.keys()].flatMap((a) =>
      [...topology.linksOf(asNodeId(a)).keys()]
        .filter((b) => !before.get(a)?.has(b))
        .map((b) => [a, b] as const),
    );
    expect(fresh.length).toBeGreaterThan(0);
    const [a, b] = fresh[0]!;
    for (const node of nodes.values()) node.conn.take();
    await nodes
      .get(a)!
      .send({ case: 'signal', value: { toNodeId: b, payload: new Uint8Array([7]) } });
    expect(
      nodes
        .get(b)!
        .conn.take()
        .map((f) => f.body.case),
    ).toEqual(['signal']);
    const sender = nodes.get(neighbour)!;
    const seq = await sender.send({
      case: 'signal',
      value: { toNodeId: leaver, payload: new Uint8Array([7]) },
    });
    expect(errorsOf(sender.conn.take())).toEqual([[ErrorCode.FORBIDDEN, seq]]);
  });
});
