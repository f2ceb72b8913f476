import type { NodeId } from '@poolnet/protocol';
import type { Path, Position } from '../topology/position.js';
import {
  childPath,
  isPrefix,
  linksOf,
  pathEquals,
  positionOfPeerInPanel,
  rowPath,
} from '../topology/index.js';

/** A panel next to mine, as I see it: a row of my cluster or one of my child panels. */
export interface Panel {
  readonly key: string;
  readonly path: Path;
  /** Node per slot, null where vacant. */
  readonly members: readonly (NodeId | null)[];
}

/** The link that carries traffic from my panel into a neighbouring panel. */
export interface Carrier {
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * Everything routing needs, derived once per position: my panel-mates, the panels around me
 * and, for each node of my panel, its links (all computable from my own position, because
 * panel-mates share the cluster and child grids). See docs/PROTOCOL.md RT1–RT6.
 */
export class RouteTable {
  readonly me: NodeId;
  readonly path: Path;
  readonly slot: number;
  readonly center: boolean;
  /** Present panel-mates (never me). */
  readonly mates: readonly NodeId[];
  /** Other rows of my cluster (present ones), indexed by row. */
  readonly clusterPanels: ReadonlyMap<number, Panel>;
  /** My child panels (present ones), indexed 0..1. */
  readonly childPanels: ReadonlyMap<number, Panel>;
  /** My own links. */
  readonly links: ReadonlyMap<NodeId, boolean>;
  private readonly myRow: number;
  private readonly mateSet = new Set<NodeId>();
  /** slot -> links of the node of my panel in that slot. */
  private readonly panelLinks = new Map<number, ReadonlyMap<NodeId, boolean>>();
  private readonly panelOf = new Map<NodeId, Panel>();
  private readonly carrierCache = new Map<string, Carrier | null>();

  constructor(readonly position: Position) {
    this.me = position.nodeId;
    this.path = position.path;
    this.slot = position.slot;
    this.center = position.path.length === 1;
    this.myRow = position.path[position.path.length - 1]!;
    const own = position.cluster[this.myRow]!;
    const mates: NodeId[] = [];
    own.forEach((id, slot) => {
      if (id === null) return;
      if (id !== this.me) {
        mates.push(id);
        this.mateSet.add(id);
      }
      const view = id === this.me ? position : positionOfPeerInPanel(position, slot);
      if (view) this.panelLinks.set(slot, linksOf(view));
    });
    this.mates = mates;
    this.links = this.panelLinks.get(this.slot) ?? new Map();
    const clusterPanels = new Map<number, Panel>();
    position.cluster.forEach((row, r) => {
      if (r === this.myRow || row.every((id) => id === null)) return;
      const panel = this.panel(`r${r}`, rowPath(position, r), row);
      clusterPanels.set(r, panel);
    });
    const childPanels = new Map<number, Panel>();
    position.children.forEach((row, i) => {
      if (row.every((id) => id === null)) return;
      childPanels.set(i, this.panel(`c${i}`, childPath(position, i), row));
    });
    this.clusterPanels = clusterPanels;
    this.childPanels = childPanels;
  }

  private panel(key: string, path: Path, members: readonly (NodeId | null)[]): Panel {
    const panel: Panel = { key, path, members };
    for (const id of members) if (id !== null) this.panelOf.set(id, panel);
    return panel;
  }

  /** Is `id` one of my panel-mates? */
  isMate(id: NodeId): boolean {
    return this.mateSet.has(id);
  }

  /** The neighbouring panel holding `id`, if my view shows it there. */
  panelHolding(id: NodeId): Panel | undefined {
    return this.panelOf.get(id);
  }

  /**
   * The link carrying traffic from my panel into `panel`, chosen the same way by every node of
   * my panel: prefer a link from my panel's node on the lane (so lanes keep their traffic
   * apart, RT6), then from `sender`, then one ending at `target`, then at the lane's node,
   * then lowest slots. Undefined when no node of my panel links into it (inconsistent view).
   */
  carrier(panel: Panel, sender: NodeId, lane: number, target?: NodeId): Carrier | undefined {
    const cacheKey = `${panel.key}|${sender}|${lane}|${target ?? ''}`;
    const cached = this.carrierCache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    let best: Carrier | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const [slot, links] of this.panelLinks) {
      const from = this.position.cluster[this.myRow]![slot]!;
      panel.members.forEach((to, toSlot) => {
        if (to === null || !links.has(to)) return;
        const score =
          (slot === lane ? 0 : 1000) +
          (from === sender ? 0 : 100) +
          (target !== undefined && to === target ? 0 : 50) +
          (toSlot === lane ? 0 : 10) +
          ((slot - lane + 3) % 3) * 3 +
          ((toSlot - lane + 3) % 3);
        if (score < bestScore) {
          bestScore = score;
          best = { from, to };
        }
      });
    }
    this.carrierCache.set(cacheKey, best ?? null);
    return best;
  }

  /**
   * RT1–RT3: the neighbours I forward a broadcast to. The spanning tree is made of panels: the
   * source's panel and each of its ancestors pass the message to every other panel of their
   * own cluster; every panel that is not an ancestor of the source passes it down to its
   * child panels. Inside a panel the entry node hands it to its mates, and each panel-level
   * hop goes over exactly one carrier link, so every node receives it once.
   */
  broadcastTargets(sourcePath: Path, lane: number, from: NodeId | null): NodeId[] {
    const entry = from === null || !this.isMate(from);
    const entryNode = from === null || entry ? this.me : from;
    const targets: NodeId[] = entry ? [...this.mates] : [];
    const isSourcePanel = pathEquals(this.path, sourcePath);
    const isAncestor = !isSourcePanel && isPrefix(this.path, sourcePath);
    const outgoing: Panel[] = [];
    if (isSourcePanel || isAncestor) outgoing.push(...this.clusterPanels.values());
    if (!isAncestor) outgoing.push(...this.childPanels.values());
    for (const panel of outgoing) {
      const c = this.carrier(panel, entryNode, lane);
      if (c && c.from === this.me && c.to !== from) targets.push(c.to);
    }
    return targets;
  }

  /**
   * RT4: the next hop toward `dest`: the node itself when it is my mate or a neighbour I link
   * to; otherwise toward the neighbouring panel on the tree path to its panel (where I see
   * it, else where its path says), through that panel's carrier. Undefined = no route.
   */
  nextHop(dest: NodeId, destPath: Path, lane: number): NodeId | undefined {
    if (dest === this.me) return this.me;
    if (this.isMate(dest) || this.links.has(dest)) return dest;
    const panel = this.panelHolding(dest) ?? this.panelToward(destPath);
    if (!panel) return undefined;
    const c = this.carrier(panel, this.me, lane, dest);
    if (!c) return undefined;
    return c.from === this.me ? c.to : c.from;
  }

  private panelToward(destPath: Path): Panel | undefined {
    const depth = this.path.length;
    if (destPath.length > depth && isPrefix(this.path, destPath)) {
      return this.childPanels.get(destPath[depth]!);
    }
    if (this.center) return this.clusterPanels.get(destPath[0]!);
    const siblingRow = 1 - this.myRow;
    const sibling = this.clusterPanels.get(siblingRow);
    if (sibling && isPrefix(sibling.path, destPath)) return sibling;
    return this.clusterPanels.get(2);
  }
}
