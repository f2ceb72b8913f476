import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Topology, pathKey, type TopologyChange } from '../../src/topology/index.js';
import { Mirror, n } from './helpers.js';

/** A join (fresh id, or re-join of an id that left: a reconnect) or a leave of a present node. */
type Op = { kind: 'join'; rejoin: number | null } | { kind: 'leave'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('join' as const), rejoin: fc.constant(null) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), rejoin: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
);

/** Every node occupies exactly one slot across all Positions' own rows, with distinct paths. */
function expectOnePlaceEach(t: Topology): void {
  const seats = new Set<string>();
  for (const id of t.nodeIds()) {
    const p = t.positionOf(id);
    const seat = `${pathKey(p.path)}/${p.slot}`;
    const [first, ...rest] = p.path;
    const valid =
      first !== undefined && first >= 0 && first <= 2 && rest.every((x) => x === 0 || x === 1);
    if (seats.has(seat) || !valid) expect.fail(`${id}: bad or shared seat ${seat}`);
    seats.add(seat);
  }
}

/** Oracle for TOP17 from the nodes' Positions alone: the seat is vacant and every panel above it full. */
function seatIsFree(t: Topology, path: readonly number[], slot: number): boolean {
  const count = new Map<string, number>();
  const taken = new Set<string>();
  for (const id of t.nodeIds()) {
    const p = t.positionOf(id);
    count.set(pathKey(p.path), (count.get(pathKey(p.path)) ?? 0) + 1);
    taken.add(`${pathKey(p.path)}/${p.slot}`);
  }
  if (taken.has(`${pathKey(path)}/${slot}`)) return false;
  for (let depth = 1; depth < path.length; depth++) {
    if ((count.get(pathKey(path.slice(0, depth))) ?? 0) < 3) return false;
  }
  return true;
}

/**
 * Runs `ops` against a Topology and a client-side Mirror updated only from the changes, and checks
 * after each op (or every `fullEvery` ops for the expensive global checks): invariants (one place
 * per node, symmetric links with one initiator, ≤ 6 links, connected, no hole above a node,
 * distinct paths) and that the mirror equals the server's state exactly.
 */
function run(ops: Op[], fullEvery = 1): void {
  const t = new Topology();
  const mirror = new Mirror();
  const gone: number[] = [];
  /** Where each removed node sat: a reconnect asks for it back (TOP17). */
  const lastSeat = new Map<number, { path: number[]; slot: number }>();
  let next = 0;
  ops.forEach((o, step) => {
    let change: TopologyChange;
    if (o.kind === 'join') {
      const reuse = o.rejoin !== null && gone.length > 0;
      const i = reuse ? (gone.splice((o.rejoin ?? 0) % gone.length, 1)[0] ?? 0) : next++;
      const prefer = reuse ? lastSeat.get(i) : undefined;
      const canHave = prefer !== undefined && seatIsFree(t, prefer.path, prefer.slot);
      change = t.add(n(i), prefer && { prefer });
      expect(change.positions.has(n(i))).toBe(true);
      if (prefer) {
        const got = t.positionOf(n(i));
        expect(got.path.join('.') === prefer.path.join('.') && got.slot === prefer.slot).toBe(
          canHave,
        );
      }
    } else {
      const ids = t.nodeIds();
      if (ids.length === 0) return;
      const id = ids[o.pick % ids.length] ?? ids[0];
      if (id === undefined) return;
      const { path, slot } = t.positionOf(id);
      change = t.remove(id);
      gone.push(Number(id.slice(1)));
      lastSeat.set(Number(id.slice(1)), { path: [...path], slot });
      expect(t.has(id)).toBe(false);
    }
    mirror.apply(change);
    if ((step + 1) % fullEvery === 0 || step === ops.length - 1) {
      t.checkInvariants();
      expectOnePlaceEach(t);
      mirror.expectMatches(t);
    }
  });
}

describe('[TOP10][TOP12][TOP13][TOP17] random joins, leaves and reconnects', () => {
  it('keep every invariant, and the change orders reproduce the new state exactly', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => run(ops)),
      { numRuns: 60 },
    );
  });

  it('also when the pool grows deep before shrinking', () => {
    const growThenShrink = fc
      .tuple(
        fc.array(op, { minLength: 100, maxLength: 300, size: 'max' }),
        fc.array(op, { maxLength: 300, size: 'max' }),
      )
      .map(([a, b]) => [
        ...a.map((o): Op =>
          o.kind === 'leave' && o.pick % 3 !== 0 ? { kind: 'join', rejoin: null } : o,
        ),
        ...b.map((o): Op =>
          o.kind === 'join' && o.rejoin === null ? { kind: 'leave', pick: 7 } : o,
        ),
      ]);
    fc.assert(
      fc.property(growThenShrink, (ops) => run(ops)),
      { numRuns: 20 },
    );
  });

  it('one long run of ~3000 ops', () => {
    const ops = fc.sample(fc.array(op, { minLength: 3000, maxLength: 3000 }), {
      numRuns: 1,
      seed: 42,
    })[0];
    expect(ops).toBeDefined();
    run(ops ?? [], 25);
  });
});
