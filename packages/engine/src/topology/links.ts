import type { NodeId } from '@poolnet/protocol';
import { ownRow } from './path.js';
import type { PanelRow, Position } from './position.js';

/**
 * Which peers a node links to, computed from its own Position only (rules TOP4–TOP9, after
 * sync-server.md §2.4). Both ends of a link compute it independently, so the rules are built
 * such that every link is seen by both ends with exactly one initiator, and no node has more
 * than 6 links (2 panel-mates + 1 per other panel of its cluster + 1 per child panel).
 *
 * Vocabulary: `P` = my row (panel number), `p` = my slot. For a non-center cluster row 2 is the
 * connector panel (my parent); it is always full when my cluster has nodes, so the connector
 * behaves like a full center panel 2 and the rules below are the center's rules.
 */

/** peer → true when I initiate the link (I send the offer). */
export type Links = ReadonlyMap<NodeId, boolean>;

/** Slot `s` of a row, slots taken mod 3 (lanes wrap around). */
function cell(row: PanelRow, s: number): NodeId | null {
  return row[s % 3] ?? null;
}

/** Row `i` of my cluster grid. */
function clusterRow(pos: Position, i: number): PanelRow {
  const row = pos.cluster[i];
  if (row === undefined) throw new RangeError(`bad row ${i}`);
  return row;
}

/** First occupied slot of `row` in the given order of slots. */
function firstOf(row: PanelRow, order: readonly number[]): NodeId | null {
  for (const s of order) {
    const id = cell(row, s);
    if (id !== null) return id;
  }
  return null;
}

/**
 * The peers I link to and whether I initiate.
 *
 * - A: in each other row i of my cluster, my partner (same slot) or, if vacant, a fallback:
 *   "forward" (p+1, p+2) when I am in the higher of the two rows other than i, else "reverse"
 *   (p+2, p+1). This picks exactly the node that rule E on the other side uses to cover.
 * - B: every panel-mate.
 * - C: in each child panel, the same slot, else forward fallback (p+1, p+2).
 * - D: alone in my panel: every node of the other rows (nobody else can reach them for me).
 * - E: my panel has one hole at q: the mate just before q (slot q−1) covers q's link to the
 *   lower other row, the mate just after q (slot q+1) covers q's link to the higher other row.
 *
 * Initiator (deterministic, TOP9): across rows of a cluster the higher row initiates (so a
 * connector/parent initiates toward its child cluster); toward my child panels I initiate; inside
 * my panel the lower slot initiates.
 */
export function linksOf(pos: Position): Links {
  const links = new Map<NodeId, boolean>();
  const P = ownRow(pos);
  const p = pos.slot;
  const mine = clusterRow(pos, P);
  const link = (id: NodeId | null, iInitiate: boolean): void => {
    if (id !== null && id !== pos.nodeId) links.set(id, iInitiate);
  };

  // B: panel-mates; the lower slot initiates.
  let mates = 0;
  for (let s = 0; s < 3; s++) {
    const id = cell(mine, s);
    if (s !== p && id !== null) {
      mates++;
      link(id, p < s);
    }
  }

  for (let i = 0; i < 3; i++) {
    if (i === P) continue;
    const row = clusterRow(pos, i);
    const forward = P > 3 - P - i; // 3 - P - i = the third row
    // A: partner, else fallback (forward or reverse).
    link(firstOf(row, forward ? [p, p + 1, p + 2] : [p, p + 2, p + 1]), P > i);
    // D: alone in my panel: every node of the other rows.
    if (mates === 0) for (let s = 0; s < 3; s++) link(cell(row, s), P > i);
  }

  // E: cover the single hole of my panel.
  if (mates === 1) {
    if (cell(mine, p + 1) === null) {
      const lower = P === 0 ? 1 : 0;
      link(cell(clusterRow(pos, lower), p + 1), P > lower);
    } else if (cell(mine, p + 2) === null) {
      const higher = P === 2 ? 1 : 2;
      link(cell(clusterRow(pos, higher), p + 2), P > higher);
    }
  }

  // C: child panels; I initiate.
  for (const row of pos.children) link(firstOf(row, [p, p + 1, p + 2]), true);

  return links;
}

/**
 * The Position of my panel-mate at `slot`, as far as I know it: same path, cluster and children
 * grids (panel-mates share them), its own node id and slot, my epoch. Routing uses it to compute
 * the links of a mate. `undefined` when that slot is vacant; my own Position for my own slot.
 */
export function positionOfPeerInPanel(pos: Position, slot: number): Position | undefined {
  if (!Number.isInteger(slot) || slot < 0 || slot > 2) throw new RangeError(`bad slot ${slot}`);
  const id = cell(clusterRow(pos, ownRow(pos)), slot);
  if (id === null) return undefined;
  return { ...pos, nodeId: id, slot };
}
