/**
 * Poolnet topology (docs/PROTOCOL.md TOP*, rules in ./RULES.md).
 *
 * Node side: a node receives its `Position` from the sync server and derives its links with
 * `linksOf`. Server side: one `Topology` per pool places and removes nodes and reports each
 * change as a minimal `TopologyChange`.
 */
export type { Path, PanelRow, Position } from './position.js';
export {
  pathKey,
  pathEquals,
  isPrefix,
  rowPath,
  childPath,
  extendPath,
  ownRow,
  isCenter,
} from './path.js';
export { linksOf, positionOfPeerInPanel, type Links } from './links.js';
export { type AddOptions, Topology } from './placement.js';
export {
  samePlace,
  type TopologyChange,
  type PromotedNode,
  type ConnectOrder,
  type DisconnectOrder,
} from './change.js';
export { TopologyError, type TopologyErrorCode } from './errors.js';
