/**
 * Which chunks of a file are held: one bit per chunk, chunk `i` at bit `i % 8` of byte
 * `i >> 3`. The bytes are what a download persists in its `.have` file.
 */

/** A run of chunk indexes, `end` exclusive. */
export interface ChunkRange {
  start: number;
  end: number;
}

export class ChunkBitmap {
  /** The bits; `ceil(count / 8)` bytes, unused bits of the last byte zero. */
  readonly bytes: Uint8Array;
  private held = 0;

  constructor(readonly count: number) {
    this.bytes = new Uint8Array(Math.ceil(count / 8));
  }

  /**
   * A bitmap over `bytes` (copied), or undefined when their length does not fit `count` or a
   * bit past the last chunk is set (the bytes are damaged).
   */
  static from(bytes: Uint8Array, count: number): ChunkBitmap | undefined {
    const bitmap = new ChunkBitmap(count);
    if (bytes.length !== bitmap.bytes.length) return undefined;
    const spare = count % 8;
    const last = bytes[bytes.length - 1];
    if (spare !== 0 && last !== undefined && last >> spare !== 0) return undefined;
    bitmap.bytes.set(bytes);
    for (const byte of bytes) bitmap.held += popcount(byte);
    return bitmap;
  }

  /** Chunks held. */
  get size(): number {
    return this.held;
  }

  has(index: number): boolean {
    return ((this.bytes[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }

  /** Marks `index` held; false if it already was. */
  set(index: number): boolean {
    const byte = this.bytes[index >> 3] ?? 0;
    const bit = 1 << (index & 7);
    if (byte & bit) return false;
    this.bytes[index >> 3] = byte | bit;
    this.held++;
    return true;
  }

  /** Marks `index` missing; false if it already was. */
  clear(index: number): boolean {
    const byte = this.bytes[index >> 3] ?? 0;
    const bit = 1 << (index & 7);
    if (!(byte & bit)) return false;
    this.bytes[index >> 3] = byte & ~bit;
    this.held--;
    return true;
  }

  /** Ranges of chunks not held, ascending. */
  missing(): ChunkRange[] {
    const ranges: ChunkRange[] = [];
    let start = -1;
    for (let i = 0; i < this.count; i++) {
      // Skip whole bytes at once where nothing changes: all held, or all missing in a range.
      if ((i & 7) === 0 && i + 8 <= this.count) {
        const byte = this.bytes[i >> 3];
        if (byte === 0xff && start < 0) {
          i += 7;
          continue;
        }
        if (byte === 0 && start >= 0) {
          i += 7;
          continue;
        }
      }
      if (this.has(i)) {
        if (start >= 0) ranges.push({ start, end: i });
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) ranges.push({ start, end: this.count });
    return ranges;
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}
