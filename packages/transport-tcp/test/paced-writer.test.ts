import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Channel } from '@poolnet/engine';
import { FrameReader, Tag } from '../src/frame-codec.js';
import { PacedWriter } from '../src/paced-writer.js';

/** A socket stand-in that takes writes only when the test says so (a slow network). */
function slowSocket(): { socket: Writable; flush(): void; frames: Array<[Tag, number]> } {
  const frames: Array<[Tag, number]> = [];
  const reader = new FrameReader(
    1 << 20,
    (tag, p) => frames.push([tag, p.byteLength]),
    () => {},
  );
  let pending: Array<() => void> = [];
  const socket = new Writable({
    highWaterMark: 16 * 1024,
    writev(chunks, callback) {
      for (const { chunk } of chunks) reader.push(chunk as Buffer);
      pending.push(() => callback());
    },
  });
  const flush = (): void => {
    const done = pending;
    pending = [];
    for (const callback of done) callback();
  };
  return { socket, flush, frames };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('paced writer', () => {
  it('gives the socket one slice at a time and lets control overtake the bulk backlog', async () => {
    const { socket, flush, frames } = slowSocket();
    const drains: Channel[] = [];
    const writer = new PacedWriter(
      socket,
      { sliceBytes: 64 * 1024, lowWaterMark: 128 * 1024 },
      (c) => drains.push(c),
    );
    for (let i = 0; i < 32; i++) writer.send('bulk', new Uint8Array(16 * 1024));
    expect(writer.bufferedAmount('bulk')).toBe(32 * 16 * 1024);
    expect(socket.writableLength).toBeLessThanOrEqual(64 * 1024 + 5 * 4);
    writer.send('control', new Uint8Array(10));
    expect(writer.bufferedAmount('control')).toBe(10);
    for (let round = 0; round < 100 && writer.bufferedAmount('bulk') > 0; round++) {
      flush();
      await tick();
    }
    const controlAt = frames.findIndex(([t]) => t === Tag.CONTROL);
    expect(controlAt).toBeGreaterThan(0);
    expect(controlAt).toBeLessThanOrEqual(4 + 1); // behind at most the first slice
    expect(writer.bufferedAmount('bulk')).toBe(0);
    expect(writer.bufferedAmount('control')).toBe(0);
    expect(drains).toEqual(['bulk']);
  });

  it('writes empty frames and counts nothing for them', async () => {
    const { socket, flush, frames } = slowSocket();
    const writer = new PacedWriter(socket, { sliceBytes: 1024, lowWaterMark: 0 }, () => {});
    writer.send('control', new Uint8Array(0));
    writer.send('bulk', new Uint8Array(0));
    flush();
    await tick();
    expect(frames).toEqual([
      [Tag.CONTROL, 0],
      [Tag.BULK, 0],
    ]);
    expect(writer.bufferedAmount('bulk')).toBe(0);
  });

  it('drops its queues and forgets callbacks once stopped', async () => {
    const { socket, flush } = slowSocket();
    const drains: Channel[] = [];
    const writer = new PacedWriter(socket, { sliceBytes: 1024, lowWaterMark: 0 }, (c) =>
      drains.push(c),
    );
    for (let i = 0; i < 10; i++) writer.send('bulk', new Uint8Array(1000));
    writer.stop();
    expect(writer.bufferedAmount('bulk')).toBe(0);
    writer.send('bulk', new Uint8Array(1));
    flush();
    await tick();
    expect(writer.bufferedAmount('bulk')).toBe(0);
    expect(drains).toEqual([]);
  });
});
