/**
 * [WIRE3] Decoding untrusted bytes returns a valid message or throws a ProtocolError: never
 * another exception, never a hang. Random bytes and mutated valid frames go into every
 * decoder. The seed is printed; rerun a failure with FUZZ_SEED=<seed> (FUZZ_RUNS=<n> for more).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PACKAGE_BYTES,
  ProtocolError,
  decodeClientFrame,
  decodePackage,
  decodePoolMessage,
  decodeServerFrame,
  decodeSignedPoolMessage,
  encodeClientFrame,
  encodePackage,
  encodePoolMessage,
  encodeServerFrame,
  encodeSignedPoolMessage,
} from '../src/index.js';
import {
  clientBodies,
  clientFrame,
  contents,
  packageBodies,
  pkg,
  poolMessage,
  serverBodies,
  serverFrame,
  signed,
} from './fixtures.js';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 400);
console.info(`[WIRE3] fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);

/** A decode that takes this long on a frame of at most a few MiB is a hang. */
const SLOW_MS = 2000;

interface Codec {
  readonly name: string;
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (message: never) => Uint8Array;
  readonly samples: Uint8Array[];
}

const dests = [{ nodeId: 'node-z', path: [2, 1, 0] }];
const codecs: Codec[] = [
  {
    name: 'Package',
    decode: decodePackage,
    encode: encodePackage,
    samples: packageBodies().map((body) => encodePackage({ ...pkg(body), dests, lane: 1 })),
  },
  {
    name: 'PoolMessage',
    decode: decodePoolMessage,
    encode: encodePoolMessage,
    samples: contents().map((c) => encodePoolMessage(poolMessage(c))),
  },
  {
    name: 'SignedPoolMessage',
    decode: decodeSignedPoolMessage,
    encode: encodeSignedPoolMessage,
    samples: [encodeSignedPoolMessage(signed())],
  },
  {
    name: 'ClientFrame',
    decode: decodeClientFrame,
    encode: encodeClientFrame,
    samples: clientBodies().map((b) => encodeClientFrame(clientFrame(b))),
  },
  {
    name: 'ServerFrame',
    decode: decodeServerFrame,
    encode: encodeServerFrame,
    samples: serverBodies().map((b) => encodeServerFrame(serverFrame(b))),
  },
];

/**
 * The property itself: a ProtocolError or a value, quickly. A value must also survive
 * encode -> decode unchanged, because encoders apply the decoders' rules ([WIRE23]).
 */
function decodesOrRejects(codec: Codec, input: Uint8Array): void {
  const started = performance.now();
  let value: unknown;
  try {
    value = codec.decode(input);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return;
  } finally {
    const ms = performance.now() - started;
    if (ms > SLOW_MS) throw new Error(`${codec.name} took ${ms.toFixed(0)} ms`);
  }
  let again: Uint8Array;
  try {
    again = codec.encode(value as never);
  } catch (err) {
    // Invalid UTF-8 decodes to U+FFFD (3 bytes per bad byte), so a frame near its limit can
    // re-encode past it. That is the only way a decoded value may fail to encode.
    if (err instanceof ProtocolError && err.code === 'FRAME_TOO_LARGE') return;
    throw err;
  }
  expect(codec.decode(again)).toEqual(value);
}

type Mutation = (b: Uint8Array) => Uint8Array;
const at = (b: Uint8Array, r: number) => (b.length === 0 ? 0 : Math.floor(r * b.length));
const concat = (...parts: ArrayLike<number>[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  return [...out, n];
};
/** A length-delimited field: tag byte, length, payload. */
const field = (tag: number, payload: Uint8Array) => concat([tag], varint(payload.length), payload);
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Bit flips.
  fc.tuple(unit, fc.integer({ min: 0, max: 7 })).map(([r, bit]): Mutation => (b) => {
    const out = b.slice();
    const i = at(out, r);
    if (i < out.length) out[i] = (out[i] ?? 0) ^ (1 << bit);
    return out;
  }),
  // Truncation.
  unit.map(
    (r): Mutation =>
      (b) =>
        b.slice(0, at(b, r)),
  ),
  // Splice: random bytes inserted somewhere.
  fc.tuple(unit, fc.uint8Array({ maxLength: 16 })).map(([r, ins]): Mutation => (b) => {
    const i = at(b, r);
    return concat(b.slice(0, i), ins, b.slice(i));
  }),
  // Splice: a range deleted.
  fc.tuple(unit, fc.integer({ min: 1, max: 32 })).map(([r, n]): Mutation => (b) => {
    const i = at(b, r);
    return concat(b.slice(0, i), b.slice(i + n));
  }),
  // Splice: a region duplicated (repeated fields, oneof cases set twice).
  fc.tuple(unit, unit).map(([r1, r2]): Mutation => (b) => {
    const [i, j] = [at(b, r1), at(b, r2)].sort((x, y) => x - y) as [number, number];
    return concat(b.slice(0, j), b.slice(i, j), b.slice(j));
  }),
  // Length-field inflation: a byte replaced by a 5-byte varint near 2^32, or by 0x7f.
  fc.tuple(unit, fc.boolean()).map(([r, huge]): Mutation => (b) => {
    const i = at(b, r);
    const len = huge ? [0xff, 0xff, 0xff, 0xff, 0x0f] : [0x7f];
    return concat(b.slice(0, i), len, b.slice(i + 1));
  }),
);

const params = (offset: number) => ({ seed: seed + offset, numRuns });

describe('[WIRE3] decoders under fuzz', () => {
  codecs.forEach((codec, k) => {
    it(`[WIRE3] ${codec.name}: random bytes decode or throw ProtocolError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 4096 }), (input) => decodesOrRejects(codec, input)),
        params(k),
      );
    });

    it(`[WIRE3] ${codec.name}: mutated valid frames decode or throw ProtocolError`, () => {
      const sample = fc.constantFrom(...codec.samples);
      const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });
      fc.assert(
        fc.property(sample, mutations, (frame, ms) => {
          decodesOrRejects(
            codec,
            ms.reduce((b, m) => m(b), frame),
          );
        }),
        params(100 + k),
      );
    });

    it(`[WIRE3] ${codec.name}: two valid frames spliced together decode or throw ProtocolError`, () => {
      const sample = fc.constantFrom(...codec.samples);
      fc.assert(
        fc.property(sample, sample, unit, (a, b, r) => {
          decodesOrRejects(codec, concat(a.slice(0, at(a, r)), b));
        }),
        params(200 + k),
      );
    });

    it(`[WIRE3] ${codec.name}: values that are not bytes throw ProtocolError`, () => {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          expect(() => codec.decode(value as Uint8Array)).toThrow(ProtocolError);
        }),
        { ...params(300 + k), numRuns: Math.min(numRuns, 200) },
      );
    });
  });

  const hostile: [string, Uint8Array][] = [
    // Field 1 as start-group, nested as deep as the frame allows.
    ['deeply nested groups', new Uint8Array(MAX_PACKAGE_BYTES).fill(0x0b)],
    // Field 2 (src) claiming a length of ~2^32 bytes.
    [
      'a length prefix far past the end',
      new Uint8Array([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]),
    ],
    // src { path: [1, 1, 1, ...] } packed, as long as the frame allows.
    ['a packed path of 250 000 panels', field(0x12, field(0x12, new Uint8Array(250_000).fill(1)))],
    // 60 000 empty dests.
    [
      '60 000 destinations',
      new Uint8Array(120_000).fill(0).map((_, i) => (i % 2 === 0 ? 0x1a : 0)),
    ],
    ['a varint that never ends', new Uint8Array(MAX_PACKAGE_BYTES).fill(0xff)],
  ];
  it.each(hostile)('[WIRE3] hostile frame: %s is rejected quickly', (_name, frame) => {
    for (const codec of codecs) decodesOrRejects(codec, frame);
  });
});
