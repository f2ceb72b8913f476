import type { NodeId } from '@poolnet/protocol';
import { linksOf, type Links } from './links.js';
import { pathEquals } from './path.js';
import type { PanelRow, Path, Position } from './position.js';
import { watchers, type Panel } from './tree.js';

/**
 * What one join or leave changes, as orders for the sync server to send (TOP13).
 *
 * It is computed ONCE, on the final state of the change, by comparing old and new Positions and
 * links of the nodes that could be affected. So it is minimal: a node is in `positions` only when
 * its Position changed; a link kept across the change (even if its reason changed, e.g. a child
 * becoming a panel-mate) is neither disconnected nor reconnected; there is no transient
 * connect-then-disconnect churn as in the Go server, which applied updates one at a time.
 */
export interface TopologyChange {
  /** The pool's epoch after this change; every Position in `positions` carries it. */
  readonly epoch: number;
  readonly added?: NodeId;
  readonly removed?: NodeId;
  /** Nodes moved up to fill the hole, top-down, with their new place. */
  readonly promoted: readonly PromotedNode[];
  /** New Positions of the nodes whose Position changed (epoch ignored), the new node included. */
  readonly positions: ReadonlyMap<NodeId, Position>;
  /** New links; `initiator` is told CONNECT and makes the offer. */
  readonly connects: readonly ConnectOrder[];
  /** Links that no longer exist (including every link of a removed node). */
  readonly disconnects: readonly DisconnectOrder[];
}

export interface PromotedNode {
  readonly nodeId: NodeId;
  readonly path: Path;
  readonly slot: number;
}
export interface ConnectOrder {
  readonly initiator: NodeId;
  readonly responder: NodeId;
}
export interface DisconnectOrder {
  readonly a: NodeId;
  readonly b: NodeId;
}

const rowsEqual = (a: readonly PanelRow[], b: readonly PanelRow[]): boolean =>
  a.every((row, r) => row.every((id, s) => b[r]?.[s] === id));

/** Same place and same grids: equality of two Positions ignoring the epoch. */
export function samePlace(a: Position, b: Position): boolean {
  return (
    a.nodeId === b.nodeId &&
    a.slot === b.slot &&
    pathEquals(a.path, b.path) &&
    rowsEqual(a.cluster, b.cluster) &&
    rowsEqual(a.children, b.children)
  );
}

/**
 * Records the old Position of every node that may be affected, just before the mutation of each
 * panel (`touch`), then diffs against the final state (`finish`). Only the watchers of touched
 * panels are ever looked at, so the cost is O(panels changed). A node whose Position is unchanged
 * has unchanged links (links depend on the Position only), so only changed nodes are diffed.
 */
export class ChangeRecorder {
  private readonly before = new Map<NodeId, Position>();

  constructor(
    /** Current Position of a placed node, undefined when it is gone. */
    private readonly current: (id: NodeId) => Position | undefined,
  ) {}

  /** Call BEFORE mutating `panel`: snapshots every node that can see it, once per change. */
  touch(panel: Panel): void {
    for (const w of watchers(panel)) {
      for (const id of w.slots) {
        if (id === null || this.before.has(id)) continue;
        const pos = this.current(id);
        if (pos) this.before.set(id, pos);
      }
    }
  }

  /** Diffs old vs new. `added` had no old state; `stamp` records a node's new epoch. */
  finish(
    epoch: number,
    meta: { added?: NodeId; removed?: NodeId; promoted: PromotedNode[] },
    stamp: (id: NodeId, epoch: number) => void,
  ): TopologyChange {
    const positions = new Map<NodeId, Position>();
    // Changed nodes: old links (none when added), new links (none when removed).
    const changed = new Map<NodeId, { old: Links; now: Links }>();
    const none: Links = new Map();
    const update = (id: NodeId, now: Position, old: Links): void => {
      const stamped: Position = { ...now, epoch };
      positions.set(id, stamped);
      stamp(id, epoch);
      changed.set(id, { old, now: linksOf(stamped) });
    };
    const added = meta.added !== undefined ? this.current(meta.added) : undefined;
    if (added) update(added.nodeId, added, none);
    for (const [id, old] of this.before) {
      const now = this.current(id);
      if (!now) changed.set(id, { old: linksOf(old), now: none });
      else if (!samePlace(now, old)) update(id, now, linksOf(old));
    }

    // A link between two changed nodes is seen from both: count it from the smaller id only.
    // A link to an unchanged node exists before and after alike on that node's side.
    const connects: ConnectOrder[] = [];
    const disconnects: DisconnectOrder[] = [];
    const mine = (id: NodeId, peer: NodeId): boolean => !(changed.has(peer) && peer < id);
    for (const [id, { old, now }] of changed) {
      for (const [peer, initiate] of now) {
        if (old.has(peer) || !mine(id, peer)) continue;
        connects.push(
          initiate ? { initiator: id, responder: peer } : { initiator: peer, responder: id },
        );
      }
      for (const peer of old.keys()) {
        if (!now.has(peer) && mine(id, peer)) disconnects.push({ a: id, b: peer });
      }
    }
    const change: TopologyChange = {
      epoch,
      promoted: meta.promoted,
      positions,
      connects,
      disconnects,
    };
    if (meta.added !== undefined) return { ...change, added: meta.added };
    if (meta.removed !== undefined) return { ...change, removed: meta.removed };
    return change;
  }
}
