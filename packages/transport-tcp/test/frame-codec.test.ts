import { describe, expect, it } from 'vitest';
import type { TcpError } from '../src/index.js';
import { FrameReader, frameHeader, helloPayload, readHello, Tag } from '../src/frame-codec.js';

type Got = Array<[Tag, number[]]>;

function reader(max = 1000): { reader: FrameReader; got: Got; errors: TcpError[] } {
  const got: Got = [];
  const errors: TcpError[] = [];
  const r = new FrameReader(
    max,
    (tag, payload) => got.push([tag, [...payload]]),
    (e) => errors.push(e),
  );
  return { reader: r, got, errors };
}

const frame = (tag: Tag, payload: number[]): Buffer =>
  Buffer.concat([frameHeader(tag, payload.length), Buffer.from(payload)]);

describe('frame codec', () => {
  it('cuts frames out of any chunking, byte by byte included', () => {
    const stream = Buffer.concat([
      frame(Tag.CONTROL, [1, 2, 3]),
      frame(Tag.BEAT, []),
      frame(
        Tag.BULK,
        Array.from({ length: 300 }, (_, i) => i & 0xff),
      ),
      frame(Tag.BULK, [9]),
    ]);
    const want: Got = [
      [Tag.CONTROL, [1, 2, 3]],
      [Tag.BEAT, []],
      [Tag.BULK, Array.from({ length: 300 }, (_, i) => i & 0xff)],
      [Tag.BULK, [9]],
    ];
    for (const size of [1, 2, 4, 5, 6, 7, 64, 299, stream.length]) {
      const { reader: r, got, errors } = reader();
      for (let at = 0; at < stream.length; at += size) r.push(stream.subarray(at, at + size));
      expect(got).toEqual(want);
      expect(errors).toEqual([]);
    }
  });

  it('hands payloads on as plain Uint8Array views, not Buffers', () => {
    const payloads: Uint8Array[] = [];
    const r = new FrameReader(
      100,
      (_t, p) => payloads.push(p),
      () => {},
    );
    r.push(frame(Tag.BULK, [1, 2]));
    expect(payloads[0]!.constructor).toBe(Uint8Array);
  });

  it('refuses an oversized frame or an unknown tag and reads nothing more', () => {
    const big = reader(10);
    big.reader.push(Buffer.concat([frameHeader(Tag.BULK, 11), frame(Tag.CONTROL, [1])]));
    expect(big.errors.map((e) => e.code)).toEqual(['BAD_FRAME']);
    expect(big.got).toEqual([]);
    big.reader.push(frame(Tag.CONTROL, [1]));
    expect(big.got).toEqual([]);

    const unknown = reader();
    unknown.reader.push(Buffer.from([0x77, 0, 0, 0, 0]));
    expect(unknown.errors.map((e) => e.code)).toEqual(['BAD_FRAME']);

    const huge = reader(256 * 1024);
    huge.reader.push(Buffer.from([Tag.BULK, 0xff, 0xff, 0xff, 0xff]));
    expect(huge.errors.map((e) => e.code)).toEqual(['BAD_FRAME']);
  });

  it('lets a handler hand the rest of a chunk to another handler', () => {
    const first: number[] = [];
    const second: number[] = [];
    const r = new FrameReader(
      100,
      (tag) => {
        first.push(tag);
        if (tag === Tag.NOMINATE) r.onFrame = (t) => second.push(t);
      },
      () => {},
    );
    r.push(Buffer.concat([frame(Tag.HELLO, [1]), frame(Tag.NOMINATE, []), frame(Tag.BULK, [2])]));
    expect(first).toEqual([Tag.HELLO, Tag.NOMINATE]);
    expect(second).toEqual([Tag.BULK]);
  });

  it('reads the session of a hello and nothing else', () => {
    expect(readHello(helloPayload('0123456789abcdef'))).toBe('0123456789abcdef');
    expect(readHello(Uint8Array.from([1]))).toBeUndefined();
    expect(
      readHello(Uint8Array.from([2, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61])),
    ).toBeUndefined();
    expect(readHello(helloPayload('short'))).toBeUndefined();
    expect(readHello(helloPayload('UPPERCASE123'))).toBeUndefined();
    expect(readHello(new Uint8Array(100).fill(0x61))).toBeUndefined();
  });
});
