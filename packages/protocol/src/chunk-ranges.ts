/**
 * Rules for lists of chunk ranges (FileRequest.requested, ChunkPromise.ranges). Ranges are
 * half-open [start, end) chunk indices. Requiring them sorted and disjoint on the wire lets
 * every receiver use them as a range set without normalising.
 */
import type { ChunkRange } from './gen/poolnet/v1/node_pb.js';
import { checkCount, invalid } from './field-checks.js';
import { MAX_RANGES, MAX_SAFE_UINT64 } from './limits.js';

/**
 * [WIRE16] At most MAX_RANGES ranges, each start < end <= 2^53-1, sorted by start and not
 * overlapping (touching is allowed: [0,4) then [4,8)). An empty list is valid; what it
 * means is up to the field (the whole file, for FileRequest.requested).
 */
export function checkChunkRanges(ranges: readonly ChunkRange[], field: string): void {
  checkCount(ranges.length, MAX_RANGES, field);
  let previousEnd = 0n;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i];
    if (range === undefined) throw invalid(field, 'hole in list');
    const { start, end } = range;
    if (start >= end) throw invalid(`${field}[${i}]`, 'start >= end');
    if (end > MAX_SAFE_UINT64) throw invalid(`${field}[${i}].end`, 'beyond 2^53-1');
    if (start < previousEnd) throw invalid(`${field}[${i}]`, 'ranges not sorted and disjoint');
    previousEnd = end;
  }
}
