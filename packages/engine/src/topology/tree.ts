import type { NodeId } from '@poolnet/protocol';
import { extendPath, pathKey } from './path.js';
import type { PanelRow, Path, Position } from './position.js';

/**
 * The server's cluster tree (sync-server.md §2.1), internal to the topology module.
 *
 * A cluster is seen as a 3-row grid, exactly as its nodes see it in their Position: the center
 * cluster's rows are center panels 0..2; any other cluster's rows 0 and 1 are its own panels and
 * row 2 is its connector, the parent panel it hangs under (the same object as that panel). So a
 * panel is an own panel of one cluster and the connector of its child cluster.
 *
 * Every panel gets its own fresh path array at creation (see path.ts on the Go aliasing bug).
 */

export const SLOTS = 3;

export class Panel {
  /** Node in each slot (partner int 0..2), null when vacant. */
  readonly slots: (NodeId | null)[] = [null, null, null];
  /** Nodes in this panel. */
  count = 0;
  /** Nodes in this panel and all panels below it; maintained incrementally. */
  subtree = 0;
  /** The cluster hanging below this panel, once its level exists. */
  child: Cluster | null = null;
  readonly key: string;

  constructor(
    readonly path: Path,
    /** The cluster this panel is an own panel of. */
    readonly cluster: Cluster,
  ) {
    this.key = pathKey(path);
  }

  /** The panel above (connector of my cluster); null for center panels. */
  get parent(): Panel | null {
    return this.cluster.connector;
  }

  /** The lowest vacant slot, or -1 when full. */
  lowestFreeSlot(): number {
    return this.slots.indexOf(null);
  }
}

export class Cluster {
  /** The 3 rows of the grid; row 2 is the connector for a non-center cluster. */
  readonly rows: readonly [Panel, Panel, Panel];
  /** Own panels (where nodes of this cluster sit): 3 for the center, 2 otherwise. */
  readonly own: readonly Panel[];
  /** Nodes in the own panels. */
  count = 0;

  constructor(
    /** 0 for the center, depth otherwise. */
    readonly level: number,
    /** Index in level order (parent cluster order, then own panel order). */
    readonly index: number,
    /** The parent panel this cluster hangs under; null for the center. */
    readonly connector: Panel | null,
  ) {
    const base: Path = connector ? connector.path : [];
    const p0 = new Panel(extendPath(base, 0), this);
    const p1 = new Panel(extendPath(base, 1), this);
    if (connector) {
      this.rows = [p0, p1, connector];
      this.own = [p0, p1];
      connector.child = this;
    } else {
      this.rows = [p0, p1, new Panel(extendPath(base, 2), this)];
      this.own = this.rows;
    }
  }

  get capacity(): number {
    return this.own.length * SLOTS;
  }
}

const rowOf = (panel: Panel): PanelRow => [
  panel.slots[0] ?? null,
  panel.slots[1] ?? null,
  panel.slots[2] ?? null,
];
const EMPTY_ROW: PanelRow = [null, null, null];

/** The Position of the node sitting in `panel` at `slot`, built from fresh arrays. */
export function positionIn(panel: Panel, slot: number, epoch: number): Position {
  const nodeId = panel.slots[slot];
  if (nodeId === null || nodeId === undefined)
    throw new RangeError(`no node at ${panel.key}/${slot}`);
  const [r0, r1, r2] = panel.cluster.rows;
  const child = panel.child;
  return {
    nodeId,
    path: panel.path.slice(),
    slot,
    cluster: [rowOf(r0), rowOf(r1), rowOf(r2)],
    children: child ? [rowOf(child.rows[0]), rowOf(child.rows[1])] : [EMPTY_ROW, EMPTY_ROW],
    epoch,
  };
}

/**
 * The panels whose nodes can see a change of `panel` in their Position: the rows of its cluster
 * (including the connector, which sees it as a child panel) and the own panels of its child
 * cluster (which see it as their connector row).
 */
export function watchers(panel: Panel): Panel[] {
  const out: Panel[] = [...panel.cluster.rows];
  if (panel.child) out.push(panel.child.rows[0], panel.child.rows[1]);
  return out;
}
