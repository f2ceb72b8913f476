import { describe, expect, it } from 'vitest';
import { ChunkBitmap } from '../../src/files/chunk-bitmap.js';
import { shuffled } from './helpers.js';

/** The missing ranges computed the slow, obvious way. */
function naiveMissing(held: Set<number>, count: number): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < count; i++) {
    if (held.has(i)) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.end === i) last.end = i + 1;
    else ranges.push({ start: i, end: i + 1 });
  }
  return ranges;
}

describe('ChunkBitmap', () => {
  it('sets, clears and counts bits', () => {
    const bitmap = new ChunkBitmap(10);
    expect(bitmap.bytes.length).toBe(2);
    expect(bitmap.set(9)).toBe(true);
    expect(bitmap.set(9)).toBe(false);
    expect(bitmap.has(9)).toBe(true);
    expect(bitmap.size).toBe(1);
    expect(bitmap.clear(9)).toBe(true);
    expect(bitmap.clear(9)).toBe(false);
    expect(bitmap.size).toBe(0);
  });

  it('lists missing ranges like the obvious algorithm, for random fills', () => {
    const seed = 0x5eed;
    for (const count of [0, 1, 7, 8, 9, 64, 100, 1000]) {
      for (const fraction of [0, 0.1, 0.5, 0.9, 1]) {
        const bitmap = new ChunkBitmap(count);
        const indexes = shuffled(
          Array.from({ length: count }, (_, i) => i),
          seed + count,
        ).slice(0, Math.round(count * fraction));
        indexes.forEach((i) => bitmap.set(i));
        // Runs of whole held/missing bytes too.
        if (count >= 64) for (let i = 16; i < 40; i++) bitmap.set(i);
        const held = new Set(
          Array.from({ length: count }, (_, i) => i).filter((i) => bitmap.has(i)),
        );
        expect(bitmap.missing(), `count ${count} fraction ${fraction} seed ${seed}`).toEqual(
          naiveMissing(held, count),
        );
      }
    }
  });

  it('restores from bytes, refusing a wrong length or bits past the end', () => {
    const bitmap = new ChunkBitmap(10);
    bitmap.set(0);
    bitmap.set(9);
    const copy = ChunkBitmap.from(bitmap.bytes, 10);
    expect(copy?.size).toBe(2);
    expect(copy?.has(9)).toBe(true);
    expect(ChunkBitmap.from(new Uint8Array(3), 10)).toBeUndefined();
    expect(ChunkBitmap.from(new Uint8Array([0, 0b100]), 10)).toBeUndefined();
  });
});
