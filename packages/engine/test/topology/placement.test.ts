import { describe, expect, it } from 'vitest';
import { Topology, TopologyError } from '../../src/topology/index.js';
import { Mirror, build, degree, edgeKey, edges, n, place } from './helpers.js';

const places = (count: number): string[] => {
  const t = build(count);
  return t.nodeIds().map((id) => place(t.positionOf(id)));
};

describe('[TOP1] placement of joining nodes', () => {
  it('fills the center, then level 1 round-robin, then level 2 (fresh pool order)', () => {
    const order = places(30);
    expect(order.slice(0, 9)).toEqual([
      '[0]/0',
      '[1]/0',
      '[2]/0',
      '[0]/1',
      '[1]/1',
      '[2]/1',
      '[0]/2',
      '[1]/2',
      '[2]/2',
    ]);
    expect(order.slice(9, 18)).toEqual([
      '[0,0]/0',
      '[1,0]/0',
      '[2,0]/0',
      '[0,1]/0',
      '[1,1]/0',
      '[2,1]/0',
      '[0,0]/1',
      '[1,0]/1',
      '[2,0]/1',
    ]);
    expect(order.slice(18, 27)).toEqual([
      '[0,1]/1',
      '[1,1]/1',
      '[2,1]/1',
      '[0,0]/2',
      '[1,0]/2',
      '[2,0]/2',
      '[0,1]/2',
      '[1,1]/2',
      '[2,1]/2',
    ]);
    expect(order.slice(27)).toEqual(['[0,0,0]/0', '[0,1,0]/0', '[1,0,0]/0']);
  });

  it('refills a hole at the shallowest level first', () => {
    const t = build(30);
    t.remove(n(5)); // [1]/1: promotes from below, the hole sinks to level 2 or 1
    t.remove(n(12)); // a level-1 leaf
    const c = t.add(n('new'));
    expect(t.positionOf(n('new')).path.length).toBeLessThanOrEqual(2);
    expect(c.added).toBe(n('new'));
    t.checkInvariants();
  });
});

describe('worked examples of sync-server.md §2.8 with these tie-breaks', () => {
  it('[TOP10] 1 node: no links; 2 nodes: 1 link; 3: triangle; 4: K4', () => {
    const t = new Topology();
    t.add(n(1));
    expect(edges(t).size).toBe(0);
    const p1 = t.positionOf(n(1));
    expect(p1.cluster).toEqual([
      [n(1), null, null],
      [null, null, null],
      [null, null, null],
    ]);
    const c2 = t.add(n(2));
    expect(c2.connects).toEqual([{ initiator: n(2), responder: n(1) }]);
    const c3 = t.add(n(3));
    expect(edges(t)).toEqual(
      new Set([edgeKey(n(1), n(2)), edgeKey(n(1), n(3)), edgeKey(n(2), n(3))]),
    );
    expect(new Set(c3.connects.map((c) => c.initiator))).toEqual(new Set([n(3)]));
    const c4 = t.add(n(4));
    expect(edges(t).size).toBe(6);
    expect(c4.disconnects).toEqual([]);
    expect(new Set(c4.connects.map((c) => `${c.initiator}>${c.responder}`))).toEqual(
      new Set(['n1>n4', 'n2>n4', 'n3>n4']),
    );
  });

  it('[TOP10] 5 to 9 nodes: center filling', () => {
    const t = build(5);
    expect(edges(t).size).toBe(8);
    expect(degree(t, n(3))).toBe(4);
    for (const i of [1, 2, 4, 5]) expect(degree(t, n(i))).toBe(3);
    t.add(n(6));
    t.add(n(7));
    t.add(n(8));
    expect(edges(t).size).toBe(16);
    t.add(n(9));
    expect(edges(t).size).toBe(18);
    for (let i = 1; i <= 9; i++) expect(degree(t, n(i))).toBe(4);
  });

  it('[TOP3][TOP10] 10 nodes: first child cluster', () => {
    const t = build(10);
    expect(edges(t).size).toBe(21);
    for (const i of [1, 4, 7]) expect(degree(t, n(i))).toBe(5);
    expect(degree(t, n(10))).toBe(3);
    const p = t.positionOf(n(10));
    expect(p.path).toEqual([0, 0]);
    expect(p.slot).toBe(0);
    expect(p.cluster).toEqual([
      [n(10), null, null],
      [null, null, null],
      [n(1), n(4), n(7)],
    ]);
    expect(p.children).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
  });

  it('[TOP11][TOP13] leave at 10 nodes: n10 promoted, only the missing links are created', () => {
    const t = build(10);
    const c = t.remove(n(1));
    expect(c.removed).toBe(n(1));
    expect(c.promoted).toEqual([{ nodeId: n(10), path: [0], slot: 0 }]);
    expect(new Set(c.connects.map((o) => `${o.initiator}>${o.responder}`))).toEqual(
      new Set(['n2>n10', 'n3>n10']),
    );
    expect(new Set(c.disconnects.map((d) => edgeKey(d.a, d.b)))).toEqual(
      new Set([2, 3, 4, 7, 10].map((i) => edgeKey(n(1), n(i)))),
    );
    expect(new Set(c.positions.keys())).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9, 10].map(n)));
    t.checkInvariants();
  });

  it('[TOP10] 27 and 30 nodes', () => {
    const t = build(27);
    expect(edges(t).size).toBe(63);
    for (let i = 1; i <= 9; i++) expect(degree(t, n(i))).toBe(6);
    for (let i = 10; i <= 27; i++) expect(degree(t, n(i))).toBe(4);
    t.add(n(28));
    t.add(n(29));
    t.add(n(30));
    expect(edges(t).size).toBe(72);
    for (const i of [28, 29, 30]) expect(degree(t, n(i))).toBe(3);

    const p1 = t.positionOf(n(1));
    expect(p1.cluster).toEqual([
      [n(1), n(4), n(7)],
      [n(2), n(5), n(8)],
      [n(3), n(6), n(9)],
    ]);
    expect(p1.children).toEqual([
      [n(10), n(16), n(22)],
      [n(13), n(19), n(25)],
    ]);
    expect(t.linksOf(n(1))).toEqual(
      new Map([
        [n(4), true],
        [n(7), true],
        [n(2), false],
        [n(3), false],
        [n(10), true],
        [n(13), true],
      ]),
    );
    const p10 = t.positionOf(n(10));
    expect(p10.cluster).toEqual([
      [n(10), n(16), n(22)],
      [n(13), n(19), n(25)],
      [n(1), n(4), n(7)],
    ]);
    expect(p10.children).toEqual([
      [n(28), null, null],
      [null, null, null],
    ]);
    expect(new Map([...t.linksOf(n(10))].sort())).toEqual(
      new Map(
        [
          [n(1), false],
          [n(13), false],
          [n(16), true],
          [n(22), true],
          [n(28), true],
        ].sort() as [ReturnType<typeof n>, boolean][],
      ),
    );
    expect(t.positionOf(n(28)).cluster[2]).toEqual([n(10), n(16), n(22)]);
  });

  it('[TOP11][TOP13] leave at 30 nodes: equal subtrees -> newer goes up, no transient churn', () => {
    const t = build(30);
    const mirror = new Mirror();
    for (const id of t.nodeIds()) mirror.positions.set(id, t.positionOf(id));
    for (const e of edges(t)) mirror.links.add(e);
    const c = t.remove(n(1));
    expect(c.promoted).toEqual([
      { nodeId: n(13), path: [0], slot: 0 },
      { nodeId: n(29), path: [0, 1], slot: 0 },
    ]);
    const connected = new Set(c.connects.map((o) => edgeKey(o.initiator, o.responder)));
    for (const d of c.disconnects) expect(connected.has(edgeKey(d.a, d.b))).toBe(false);
    expect(connected.has(edgeKey(n(10), n(25)))).toBe(false);
    mirror.apply(c);
    mirror.expectMatches(t);
    t.checkInvariants();
  });
});

describe('[TOP11] promotion choice', () => {
  it('prefers a node at the hole slot, even over a newer node', () => {
    const t = build(16); // [0,0] = {n10, n16}, [0,1] = {n13}
    t.remove(n(10)); // [0,0] = {-, n16}
    t.add(n(17)); // goes elsewhere (FIFO among level-1 clusters)
    expect(t.positionOf(n(17)).path[0]).not.toBe(0);
    const c = t.remove(n(1)); // hole at slot 0: only n13 sits at slot 0
    expect(c.promoted).toEqual([{ nodeId: n(13), path: [0], slot: 0 }]);
    t.checkInvariants();
  });

  it('prefers the larger subtree, even over a newer node', () => {
    const t = build(16); // [0,0] = {n10, n16} (2), [0,1] = {n13} (1)
    const c = t.remove(n(1));
    expect(c.promoted).toEqual([{ nodeId: n(10), path: [0], slot: 0 }]);
    t.checkInvariants();
  });

  it('takes the newest node when no child panel has a node at the hole slot', () => {
    const t = build(13); // [0,0] = {n10}, [0,1] = {n13}
    const c = t.remove(n(4)); // hole at slot 1
    expect(c.promoted).toEqual([{ nodeId: n(13), path: [0], slot: 1 }]);
    t.checkInvariants();
  });

  it('sinks the hole through several levels', () => {
    const t = build(63 + 18);
    const c = t.remove(n(1));
    expect(c.promoted.length).toBe(3);
    expect(c.promoted.map((p) => p.path.length)).toEqual([1, 2, 3]);
    t.checkInvariants();
  });
});

describe('[TOP14] epochs', () => {
  it('increments per change and stamps the Positions sent', () => {
    const t = new Topology();
    expect(t.epoch).toBe(0);
    expect(t.add(n(1)).epoch).toBe(1);
    const c = t.add(n(2));
    expect(c.epoch).toBe(2);
    for (const p of c.positions.values()) expect(p.epoch).toBe(2);
    t.add(n(3));
    t.add(n(4)); // [0]/1: n1 and n4 see it; n2, n3 too (same cluster)
    for (let i = 5; i <= 10; i++) t.add(n(i));
    const c11 = t.add(n(11)); // [1,0]/0: seen by [1] and the center, not by n10's cluster
    expect(c11.positions.has(n(10))).toBe(false);
    expect(t.positionOf(n(10)).epoch).toBe(10);
    expect(t.positionOf(n(2)).epoch).toBe(11);
  });
});

describe('[TOP15] node ids', () => {
  it('a duplicate add throws DUPLICATE_NODE and leaves the tree intact', () => {
    const t = build(12);
    const before = t.nodeIds().map((id) => t.positionOf(id));
    const err = (() => {
      try {
        t.add(n(5));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as TopologyError).code).toBe('DUPLICATE_NODE');
    expect(t.size).toBe(12);
    expect(t.epoch).toBe(12);
    expect(t.nodeIds().map((id) => t.positionOf(id))).toEqual(before);
    t.checkInvariants();
  });

  it('remove, positionOf and linksOf of an unknown id throw UNKNOWN_NODE', () => {
    const t = build(3);
    for (const f of [() => t.remove(n(9)), () => t.positionOf(n(9)), () => t.linksOf(n(9))]) {
      expect(f).toThrow(expect.objectContaining({ code: 'UNKNOWN_NODE' }));
    }
    expect(t.epoch).toBe(3);
  });
});

describe('[TOP17] a reconnecting node asks for its old place', () => {
  it('gets it back when it is still vacant, with the same links as before', () => {
    const t = build(20);
    const id = n(15);
    const before = t.positionOf(id);
    const linksBefore = [...t.linksOf(id).keys()].sort();
    t.remove(id); // a leaf: nothing below to promote into its seat
    const change = t.add(id, { prefer: { path: before.path, slot: before.slot } });
    expect(place(t.positionOf(id))).toBe(place(before));
    expect([...t.linksOf(id).keys()].sort()).toEqual(linksBefore);
    expect(change.positions.has(id)).toBe(true);
    t.checkInvariants();
  });

  it('is placed by TOP1 when the seat was filled, would break compactness, or does not exist', () => {
    const t = build(20);
    const first = t.positionOf(n(1)); // center [0]/0: refilled by promotion on leave
    expect(place(first)).toBe('[0]/0');
    t.remove(n(1));
    t.add(n(1), { prefer: { path: first.path, slot: first.slot } });
    expect(place(t.positionOf(n(1)))).not.toBe(place(first));

    const deep = new Topology();
    deep.add(n(1), { prefer: { path: [0, 1], slot: 0 } }); // its parent panel is empty
    expect(place(deep.positionOf(n(1)))).toBe('[0]/0');
    deep.add(n(2), { prefer: { path: [7], slot: 9 } });
    deep.add(n(3), { prefer: { path: [0], slot: 0 } }); // taken
    expect(place(deep.positionOf(n(3)))).not.toBe('[0]/0');
    deep.checkInvariants();
  });
});
