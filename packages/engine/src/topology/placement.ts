import type { NodeId } from '@poolnet/protocol';
import { CountBuckets } from './buckets.js';
import { ChangeRecorder, type PromotedNode, type TopologyChange } from './change.js';
import { TopologyError } from './errors.js';
import { checkTreeInvariants } from './invariants.js';
import { linksOf, type Links } from './links.js';
import type { Position } from './position.js';
import { Cluster, positionIn, type Panel } from './tree.js';

/** Where a node sits, and the epoch of the last change of its Position. */
export interface NodeRecord {
  panel: Panel;
  slot: number;
  /** Join order, for the promotion tie-break (newest first). */
  readonly seq: number;
  epoch: number;
}

/** How to place a node. */
export interface AddOptions {
  /**
   * A place to try first (a reconnecting node's old one, TOP17). Used only if it is vacant
   * and keeps the tree compact; otherwise the node is placed by TOP1.
   */
  readonly prefer?: { readonly path: readonly number[]; readonly slot: number };
}

/** One level of the cluster tree with its count buckets. */
export interface Level {
  readonly clusters: readonly Cluster[];
  readonly buckets: CountBuckets<Cluster>;
  readonly capacity: number;
  count: number;
}

/**
 * The server-side topology of one pool (sync-server.md §2, TOP1–TOP16): places joining nodes,
 * fills holes left by leaving nodes by promotion, and reports each change as the minimal set of
 * Position updates and connect/disconnect orders. Pure and synchronous; no I/O.
 *
 * Cost per change is O(depth) = O(log N): the target cluster comes from per-level count buckets,
 * subtree counts are kept incrementally, and only the watchers of changed panels are diffed.
 */
export class Topology {
  private readonly levels: Level[] = [];
  private readonly nodes = new Map<NodeId, NodeRecord>();
  private currentEpoch = 0;
  private joins = 0;

  constructor() {
    this.addLevel();
  }

  /** Number of placed nodes. */
  get size(): number {
    return this.nodes.size;
  }

  /** Epoch of the last change (0 before any). */
  get epoch(): number {
    return this.currentEpoch;
  }

  has(id: NodeId): boolean {
    return this.nodes.has(id);
  }

  /** Placed node ids, in join order. */
  nodeIds(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** The node's Position, stamped with the epoch at which it last changed (= last sent). */
  positionOf(id: NodeId): Position {
    const rec = this.record(id);
    return positionIn(rec.panel, rec.slot, rec.epoch);
  }

  /** The node's links, as computed by the node itself from its Position. */
  linksOf(id: NodeId): Links {
    return linksOf(this.positionOf(id));
  }

  /**
   * Places a joining node (TOP1): the shallowest level with room; there the least-filled cluster
   * (FIFO among equals, see buckets.ts); there the least-filled own panel (lowest panel number
   * among equals); there the lowest free slot. Throws DUPLICATE_NODE, tree untouched.
   */
  add(id: NodeId, options: AddOptions = {}): TopologyChange {
    if (this.nodes.has(id)) throw new TopologyError('DUPLICATE_NODE', `node ${id} already placed`);
    const preferred = options.prefer && this.freeSpot(options.prefer.path, options.prefer.slot);
    let panel: Panel;
    let slot: number;
    if (preferred) {
      [panel, slot] = preferred;
    } else {
      let level = this.levels.find((l) => l.count < l.capacity);
      if (!level) level = this.addLevel();
      const cluster = level.buckets.leastFilled();
      if (!cluster) throw new Error('level with room has no cluster with room');
      panel = cluster.own[0] as Panel;
      for (const p of cluster.own) if (p.count < panel.count) panel = p;
      slot = panel.lowestFreeSlot();
    }

    const rec = new ChangeRecorder((n) => this.currentPosition(n));
    rec.touch(panel);
    this.currentEpoch++;
    this.nodes.set(id, { panel, slot, seq: this.joins++, epoch: this.currentEpoch });
    this.put(panel, slot, id);
    for (let p: Panel | null = panel; p; p = p.parent) p.subtree++;
    return rec.finish(this.currentEpoch, { added: id, promoted: [] }, (n, e) => this.stamp(n, e));
  }

  /**
   * Removes a node (TOP11): frees its slot, then while the panel holding the hole has nodes below
   * it, promotes one node of its child cluster into the hole and continues from the panel that
   * node left, so holes sink to the leaves. Throws UNKNOWN_NODE.
   */
  remove(id: NodeId): TopologyChange {
    const gone = this.record(id);
    const rec = new ChangeRecorder((n) => this.currentPosition(n));
    const promoted: PromotedNode[] = [];
    let cur = gone.panel;
    let hole = gone.slot;
    rec.touch(cur);
    this.currentEpoch++;
    this.take(cur, hole);
    this.nodes.delete(id);
    for (let p: Panel | null = cur; p; p = p.parent) p.subtree--;

    for (let pick = this.pickPromotion(cur, hole); pick; pick = this.pickPromotion(cur, hole)) {
      const [from, slot] = pick;
      rec.touch(from);
      const moved = this.take(from, slot);
      this.put(cur, hole, moved);
      from.subtree--; // the moved node left from's subtree; cur's subtree still holds it
      const r = this.record(moved);
      r.panel = cur;
      r.slot = hole;
      promoted.push({ nodeId: moved, path: cur.path.slice(), slot: hole });
      cur = from;
      hole = slot;
    }
    return rec.finish(this.currentEpoch, { removed: id, promoted }, (n, e) => this.stamp(n, e));
  }

  /**
   * [TOP17] The panel and slot at `path`/`slot` if a node may be placed there now: the panel
   * exists, the slot is vacant, and every panel above it is full (so TOP12 compactness holds).
   */
  private freeSpot(path: readonly number[], slot: number): [Panel, number] | undefined {
    if (!Number.isInteger(slot) || slot < 0 || slot >= 3) return undefined;
    const [first, ...rest] = path;
    const center = this.levels[0]?.clusters[0];
    if (first === undefined || center === undefined || first < 0 || first > 2) return undefined;
    let panel = center.rows[first] as Panel | undefined;
    for (const step of rest) {
      if (step !== 0 && step !== 1) return undefined;
      panel = panel?.child?.rows[step];
    }
    if (!panel || panel.slots[slot] !== null) return undefined;
    for (let up = panel.parent; up; up = up.parent) if (up.count < 3) return undefined;
    return [panel, slot];
  }

  /** Throws a TopologyError describing the first broken invariant (tests, debugging). */
  checkInvariants(): void {
    checkTreeInvariants(this.levels, this.nodes, (id) => this.positionOf(id));
  }

  /**
   * The node to promote into `cur[hole]` (sync-server.md §2.7), or null when nothing is below:
   * prefer a child panel holding a node at slot `hole`; if both do, the larger subtree, then the
   * newer node; if neither does, the newest node of the two child panels.
   */
  private pickPromotion(cur: Panel, hole: number): [Panel, number] | null {
    const child = cur.child;
    if (!child) return null;
    const [a, b] = child.rows;
    if (a.subtree + b.subtree === 0) return null;
    const atHole = [a, b].filter((p) => p.slots[hole] !== null);
    if (atHole.length === 1) return [atHole[0] as Panel, hole];
    if (atHole.length === 2 && a.subtree !== b.subtree)
      return [a.subtree > b.subtree ? a : b, hole];
    const candidates: [Panel, number][] = [];
    if (atHole.length === 2) for (const p of atHole) candidates.push([p, hole]);
    else
      for (const p of [a, b]) for (let s = 0; s < 3; s++) if (p.slots[s]) candidates.push([p, s]);
    let best: [Panel, number] | null = null;
    let bestSeq = -1;
    for (const [p, s] of candidates) {
      const seq = this.record(p.slots[s] as NodeId).seq;
      if (seq > bestSeq) [best, bestSeq] = [[p, s], seq];
    }
    return best;
  }

  private put(panel: Panel, slot: number, id: NodeId): void {
    panel.slots[slot] = id;
    panel.count++;
    this.recount(panel.cluster, +1);
  }

  private take(panel: Panel, slot: number): NodeId {
    const id = panel.slots[slot];
    if (id === null || id === undefined) throw new Error(`no node at ${panel.key}/${slot}`);
    panel.slots[slot] = null;
    panel.count--;
    this.recount(panel.cluster, -1);
    return id;
  }

  private recount(cluster: Cluster, delta: number): void {
    const level = this.levels[cluster.level];
    if (!level) throw new Error(`no level ${cluster.level}`);
    level.buckets.move(cluster, cluster.count + delta);
    cluster.count += delta;
    level.count += delta;
  }

  /** Appends the next level: the child clusters of every own panel of the last level, in order. */
  private addLevel(): Level {
    const k = this.levels.length;
    const parents = this.levels[k - 1]?.clusters;
    const clusters: Cluster[] = [];
    if (!parents) clusters.push(new Cluster(0, 0, null));
    else
      for (const c of parents)
        for (const p of c.own) clusters.push(new Cluster(k, clusters.length, p));
    const maxCount = (clusters[0] as Cluster).capacity;
    const buckets = new CountBuckets<Cluster>(maxCount);
    for (const c of clusters) buckets.insert(c, 0);
    const level: Level = { clusters, buckets, capacity: maxCount * clusters.length, count: 0 };
    this.levels.push(level);
    return level;
  }

  private record(id: NodeId): NodeRecord {
    const rec = this.nodes.get(id);
    if (!rec) throw new TopologyError('UNKNOWN_NODE', `node ${id} is not placed`);
    return rec;
  }

  private currentPosition(id: NodeId): Position | undefined {
    const rec = this.nodes.get(id);
    return rec ? positionIn(rec.panel, rec.slot, rec.epoch) : undefined;
  }

  private stamp(id: NodeId, epoch: number): void {
    const rec = this.nodes.get(id);
    if (rec) rec.epoch = epoch;
  }
}
