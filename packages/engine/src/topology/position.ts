import type { NodeId } from '@poolnet/protocol';

/**
 * A panel's path: panel numbers from the center. `[2]` is center panel 2; `[2,1,0]` is panel 0
 * of the child cluster of panel 1 of the child cluster of center panel 2. The first element is
 * 0..2, every later element 0..1.
 */
export type Path = readonly number[];

/** One row of a cluster grid: the node in each slot (partner int 0..2), `null` when vacant. */
export type PanelRow = readonly [NodeId | null, NodeId | null, NodeId | null];

/**
 * What one node knows of the topology: its own place and the two grids around it. This is
 * exactly what the sync server sends a node, and all a node needs to compute its links and
 * route (see docs/PROTOCOL.md, TOP*).
 */
export interface Position {
  readonly nodeId: NodeId;
  /** Path of my panel. */
  readonly path: Path;
  /** My slot in my panel (partner int, lane) 0..2. */
  readonly slot: number;
  /**
   * My cluster, 3 rows indexed by panel number. For the center cluster rows 0..2 are center
   * panels 0..2. For any other cluster rows 0 and 1 are its own panels and row 2 is the
   * connector (the parent panel the cluster hangs under). My own row is `path[path.length-1]`.
   */
  readonly cluster: readonly [PanelRow, PanelRow, PanelRow];
  /** My child cluster's own panels 0 and 1 (all null when it has no nodes). */
  readonly children: readonly [PanelRow, PanelRow];
  /** Increases with every change the server makes in this pool; a node ignores older updates. */
  readonly epoch: number;
}
