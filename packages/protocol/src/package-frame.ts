import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/**
 * Byte-level surgery on a Package frame that `decodePackage` has already accepted. Every hop of
 * a broadcast forwards the same package with one more hop: copying the frame and rewriting one
 * varint costs a fraction of a full re-encode, and keeps every other field byte for byte (so
 * unknown fields from newer peers pass through untouched).
 */

/** Field numbers of `Package` in node.proto. */
const HOPS_FIELD = 5;
const POOL_FIELD = 10;
const HOPS_TAG = (HOPS_FIELD << 3) | WireType.Varint;

/** [WIRE28] The encoded SignedPoolMessage inside a pool package frame (a view, no copy). */
export function signedPoolMessageBytes(frame: Uint8Array): Uint8Array | undefined {
  const reader = new BinaryReader(frame);
  let found: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === POOL_FIELD && wireType === WireType.LengthDelimited) found = reader.bytes();
    else reader.skip(wireType, no);
  }
  return found;
}

/** [WIRE28] A copy of a package frame whose `hops` field says `hops`. */
export function withHops(frame: Uint8Array, hops: number): Uint8Array {
  const reader = new BinaryReader(frame);
  const kept: number[] = [];
  let size = 0;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [no, wireType] = reader.tag();
    reader.skip(wireType, no);
    if (no === HOPS_FIELD) continue;
    kept.push(start, reader.pos);
    size += reader.pos - start;
  }
  const varint = hops > 0 ? encodeVarint(hops) : [];
  const out = new Uint8Array(size + (varint.length > 0 ? 1 + varint.length : 0));
  let at = 0;
  for (let i = 0; i < kept.length; i += 2) {
    out.set(frame.subarray(kept[i]!, kept[i + 1]!), at);
    at += kept[i + 1]! - kept[i]!;
  }
  if (varint.length > 0) {
    out[at++] = HOPS_TAG;
    for (const b of varint) out[at++] = b;
  }
  return out;
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
