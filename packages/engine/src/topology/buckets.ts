/**
 * Count buckets: items grouped by a small integer count (nodes in a cluster), so that the
 * least-filled item is found in O(capacity) instead of scanning every item. One instance per
 * level of the cluster tree (placement.ts).
 *
 * Tie-break among items with the same count: FIFO, the item that entered that bucket first. A
 * fresh level is inserted in level order, so a fresh pool fills clusters round-robin in level
 * order; after departures, a cluster that just dropped to a count goes behind the clusters that
 * already had it. Deterministic for a given history.
 *
 * Each bucket is a doubly linked list (O(1) move, O(1) first). A JS Set is not used on purpose:
 * V8 leaves deleted entries as holes at the front of a Set until it rehashes, so "first item"
 * after many deletions from the front degrades to a scan of the holes.
 */
interface Link<T> {
  readonly item: T;
  count: number;
  prev: Link<T> | null;
  next: Link<T> | null;
}

interface Bucket<T> {
  head: Link<T> | null;
  tail: Link<T> | null;
  size: number;
}

export class CountBuckets<T> {
  private readonly buckets: Bucket<T>[] = [];
  private readonly links = new Map<T, Link<T>>();

  constructor(readonly maxCount: number) {
    for (let c = 0; c <= maxCount; c++) this.buckets.push({ head: null, tail: null, size: 0 });
  }

  private bucket(count: number): Bucket<T> {
    const b = this.buckets[count];
    if (b === undefined) throw new RangeError(`count ${count} outside 0..${this.maxCount}`);
    return b;
  }

  private append(link: Link<T>, count: number): void {
    const b = this.bucket(count);
    link.count = count;
    link.prev = b.tail;
    link.next = null;
    if (b.tail) b.tail.next = link;
    else b.head = link;
    b.tail = link;
    b.size++;
  }

  private unlink(link: Link<T>): void {
    const b = this.bucket(link.count);
    if (link.prev) link.prev.next = link.next;
    else b.head = link.next;
    if (link.next) link.next.prev = link.prev;
    else b.tail = link.prev;
    b.size--;
  }

  /** Start tracking `item` at `count` (at the back of its bucket). */
  insert(item: T, count: number): void {
    if (this.links.has(item)) throw new RangeError('item already tracked');
    const link: Link<T> = { item, count, prev: null, next: null };
    this.links.set(item, link);
    this.append(link, count);
  }

  /** `item`'s count changed to `to`: it goes to the back of bucket `to`. */
  move(item: T, to: number): void {
    const link = this.links.get(item);
    if (!link) throw new RangeError('item not tracked');
    this.unlink(link);
    this.append(link, to);
  }

  /** The count `item` is tracked at (invariant checks). */
  countOf(item: T): number | undefined {
    return this.links.get(item)?.count;
  }

  /** The first item of the lowest non-empty bucket below `maxCount` (i.e. with room), if any. */
  leastFilled(): T | undefined {
    for (let c = 0; c < this.maxCount; c++) {
      const head = this.bucket(c).head;
      if (head) return head.item;
    }
    return undefined;
  }

  /** Number of tracked items, summed over the buckets (invariant checks). */
  get size(): number {
    return this.buckets.reduce((n, b) => n + b.size, 0);
  }
}
