/**
 * A node's place in the pool's topology, as the sync server sends it (Position), and the
 * plain form the engine works with: grids of node ids with null for a vacant slot.
 */
import { create } from '@bufbuild/protobuf';
import { type Position, PositionSchema } from './gen/poolnet/v1/signal_pb.js';
import { ProtocolError } from './errors.js';
import { checkId, checkPath, checkSlot, invalid } from './field-checks.js';
import { type NodeId, asNodeId } from './ids.js';
import { CHILD_CELLS, CLUSTER_CELLS, MAX_SAFE_UINT64, SLOTS_PER_PANEL } from './limits.js';

/** One panel: the node in each slot 0..2, null when vacant. */
export type PanelRow = readonly [NodeId | null, NodeId | null, NodeId | null];

/** Position as a plain object. The engine adds its own node id to make its Position. */
export interface PlainPosition {
  /** Panel numbers from the center: first 0..2, later 0..1. */
  readonly path: readonly number[];
  /** Slot (partner int, lane) in the panel, 0..2. */
  readonly slot: number;
  /**
   * The node's cluster by panel number. Rows 0 and 1 are the cluster's own panels, row 2 the
   * connector; in the center cluster rows 0..2 are the center panels.
   */
  readonly cluster: readonly [PanelRow, PanelRow, PanelRow];
  /** The child cluster's own panels 0 and 1 (all null when it is empty). */
  readonly children: readonly [PanelRow, PanelRow];
  /** Grows with every change in the pool; older updates are ignored. */
  readonly epoch: number;
}

function checkCells(cells: readonly string[], count: number, field: string): void {
  if (cells.length !== count) throw invalid(field, `not exactly ${count} entries`);
  for (const cell of cells) if (cell !== '') checkId(cell, `${field}[]`);
}

/**
 * [WIRE22] A valid path and slot; exactly 9 cluster and 6 children entries, each "" or a
 * valid node id; the node's own cell (row = last path element) occupied; epoch <= 2^53-1.
 */
export function checkPosition(
  position: Position | undefined,
  field: string,
): asserts position is Position {
  if (position === undefined) throw invalid(field, 'missing');
  checkPath(position.path, `${field}.path`);
  checkSlot(position.slot, `${field}.slot`);
  checkCells(position.cluster, CLUSTER_CELLS, `${field}.cluster`);
  checkCells(position.children, CHILD_CELLS, `${field}.children`);
  const row = position.path[position.path.length - 1] ?? 0;
  if (position.cluster[row * SLOTS_PER_PANEL + position.slot] === '') {
    throw invalid(`${field}.cluster`, "the node's own cell is vacant");
  }
  if (position.epoch > MAX_SAFE_UINT64) throw invalid(`${field}.epoch`, 'beyond 2^53-1');
}

const cellFromWire = (cell: string): NodeId | null => (cell === '' ? null : asNodeId(cell));

function rowFromWire(cells: readonly string[], row: number): PanelRow {
  const at = row * SLOTS_PER_PANEL;
  return [
    cellFromWire(cells[at] ?? ''),
    cellFromWire(cells[at + 1] ?? ''),
    cellFromWire(cells[at + 2] ?? ''),
  ];
}

/** Validates a wire Position and returns its plain form. Throws only ProtocolError. */
export function positionFromWire(position: Position): PlainPosition {
  checkPosition(position, 'position');
  return {
    path: [...position.path],
    slot: position.slot,
    cluster: [
      rowFromWire(position.cluster, 0),
      rowFromWire(position.cluster, 1),
      rowFromWire(position.cluster, 2),
    ],
    children: [rowFromWire(position.children, 0), rowFromWire(position.children, 1)],
    epoch: Number(position.epoch),
  };
}

function cellsToWire(rows: readonly PanelRow[], count: number, field: string): string[] {
  if (!Array.isArray(rows) || rows.length * SLOTS_PER_PANEL !== count) {
    throw invalid(field, `not ${count / SLOTS_PER_PANEL} rows`);
  }
  const cells: string[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== SLOTS_PER_PANEL) {
      throw invalid(field, `a row is not ${SLOTS_PER_PANEL} slots`);
    }
    for (const cell of row) cells.push(cell ?? '');
  }
  return cells;
}

/** The wire Position for a plain one (the server side), checked by the same rules. */
export function positionToWire(position: PlainPosition): Position {
  if (!Number.isSafeInteger(position.epoch) || position.epoch < 0) {
    throw new ProtocolError('INVALID_FIELD', { field: 'position.epoch', detail: 'not 0..2^53-1' });
  }
  const wire = create(PositionSchema, {
    path: [...position.path],
    slot: position.slot,
    cluster: cellsToWire(position.cluster, CLUSTER_CELLS, 'position.cluster'),
    children: cellsToWire(position.children, CHILD_CELLS, 'position.children'),
    epoch: BigInt(position.epoch),
  });
  checkPosition(wire, 'position');
  return wire;
}
