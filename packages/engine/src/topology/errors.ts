/**
 * Errors raised by the server-side topology (`Topology`). They carry a stable `code` so that the
 * sync server can map them to a wire error without parsing messages.
 *
 * - `DUPLICATE_NODE`: `add` of a node id that is already placed. The earlier Go server let a
 *   reconnecting device overwrite its node while the old node stayed stuck in the tree (and later
 *   deadlocked the pool). Here the tree refuses, untouched; the server must `remove` the old
 *   session's node first, then `add` again.
 * - `UNKNOWN_NODE`: `remove`, `positionOf` or `linksOf` of an id that is not placed.
 * - `INVARIANT_VIOLATED`: thrown only by `checkInvariants()` (tests, debugging).
 */
export type TopologyErrorCode = 'DUPLICATE_NODE' | 'UNKNOWN_NODE' | 'INVARIANT_VIOLATED';

export class TopologyError extends Error {
  override readonly name = 'TopologyError';

  constructor(
    readonly code: TopologyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
