import { asNodeId, type NodeId } from '@poolnet/protocol';
import { expect } from 'vitest';
import {
  Topology,
  samePlace,
  type Position,
  type TopologyChange,
} from '../../src/topology/index.js';

/** Test node ids: `n(4)` = "n4" (join order in the worked examples). */
export const n = (i: number | string): NodeId => asNodeId(typeof i === 'number' ? `n${i}` : i);

/** A topology with n1..n`count` joined in order. */
export function build(count: number): Topology {
  const t = new Topology();
  for (let i = 1; i <= count; i++) t.add(n(i));
  return t;
}

export const edgeKey = (a: NodeId, b: NodeId): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The undirected link set of the whole pool, as every node computes it. */
export function edges(t: Topology): Set<string> {
  const out = new Set<string>();
  for (const id of t.nodeIds()) for (const peer of t.linksOf(id).keys()) out.add(edgeKey(id, peer));
  return out;
}

export function degree(t: Topology, id: NodeId): number {
  return t.linksOf(id).size;
}

/** Where a node sits, compactly: "[2,1]/0". */
export const place = (p: Position): string => `[${p.path.join(',')}]/${p.slot}`;

/**
 * What the clients know: a position map and a link set updated ONLY from TopologyChange orders.
 * `apply` asserts the orders are minimal (no connect of an existing link, no disconnect of a
 * missing one, no Position update that changes nothing); `expectMatches` asserts the mirror is
 * exactly the server's state.
 */
export class Mirror {
  readonly positions = new Map<NodeId, Position>();
  readonly links = new Set<string>();

  apply(change: TopologyChange): void {
    if (change.removed !== undefined) this.positions.delete(change.removed);
    for (const [id, pos] of change.positions) {
      const old = this.positions.get(id);
      if (old) expect(samePlace(old, pos), `useless update for ${id}`).toBe(false);
      expect(pos.epoch).toBe(change.epoch);
      this.positions.set(id, pos);
    }
    for (const { a, b } of change.disconnects) {
      expect(this.links.has(edgeKey(a, b)), `disconnect of absent ${a}-${b}`).toBe(true);
      this.links.delete(edgeKey(a, b));
    }
    for (const { initiator, responder } of change.connects) {
      expect(this.links.has(edgeKey(initiator, responder)), `reconnect ${initiator}`).toBe(false);
      this.links.add(edgeKey(initiator, responder));
    }
  }

  expectMatches(t: Topology): void {
    expect(this.positions.size).toBe(t.size);
    for (const id of t.nodeIds()) {
      const mine = this.positions.get(id);
      const truth = t.positionOf(id);
      // samePlace + epoch first (fast); toEqual only to report a mismatch.
      if (!mine || !samePlace(mine, truth) || mine.epoch !== truth.epoch) {
        expect(mine).toEqual(truth);
      }
    }
    const truth = edges(t);
    if (truth.size !== this.links.size || [...truth].some((e) => !this.links.has(e))) {
      expect(this.links).toEqual(truth);
    }
  }
}
