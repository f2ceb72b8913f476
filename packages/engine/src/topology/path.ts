import type { Path, Position } from './position.js';

/**
 * Path helpers. A path lists panel numbers from the center: the first element is the center
 * panel (0..2), every later element is 0 or 1 (the own panels of a child cluster).
 *
 * Every helper that returns a path builds a FRESH array. The Go server built child paths with
 * `append(parentPath, i)`, which shares the backing array when capacity allows: above 63 nodes
 * both panels of a level-3 cluster ended with the same number, corrupting positions and links
 * (sync-server.md §2.9.1). Never hand out or extend a path without copying it.
 */

/** A stable string key for a path, usable in maps and sets: `[2,1,0]` → `"2.1.0"`. */
export function pathKey(path: Path): string {
  return path.join('.');
}

/** Element-wise equality of two paths. */
export function pathEquals(a: Path, b: Path): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `prefix` is a (not necessarily strict) prefix of `path`, i.e. `path` is in its subtree. */
export function isPrefix(prefix: Path, path: Path): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** A fresh copy of `path` with `i` appended: the path of child panel `i` of panel `path`. */
export function extendPath(path: Path, i: number): number[] {
  const out = path.slice();
  out.push(i);
  return out;
}

/** The row of my own panel in my cluster grid: the last element of my path. */
export function ownRow(pos: Position): number {
  const row = pos.path[pos.path.length - 1];
  if (row === undefined) throw new RangeError('a position has a non-empty path');
  return row;
}

/** True when my cluster is the center cluster (my path has a single element). */
export function isCenter(pos: Position): boolean {
  return pos.path.length === 1;
}

/**
 * Path of row `row` (0..2) of my cluster grid. Center: `[row]`. Any other cluster: rows 0 and 1
 * are its own panels `parent + [row]`; row 2 is the connector, i.e. the parent panel itself.
 */
export function rowPath(pos: Position, row: number): number[] {
  if (!Number.isInteger(row) || row < 0 || row > 2) throw new RangeError(`bad row ${row}`);
  if (isCenter(pos)) return [row];
  const parent = pos.path.slice(0, -1);
  return row === 2 ? parent : extendPath(parent, row);
}

/** Path of my child panel `i` (0 or 1): my path + `[i]`. */
export function childPath(pos: Position, i: number): number[] {
  if (i !== 0 && i !== 1) throw new RangeError(`bad child panel ${i}`);
  return extendPath(pos.path, i);
}
