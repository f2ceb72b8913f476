/**
 * The little CBOR (RFC 8949) a WebAuthn authenticator writes: unsigned and negative
 * integers, byte strings, text strings and maps, definite lengths only. Map entries are
 * written in the order given; WebAuthn's CTAP2 canonical order is the caller's business.
 */
export type CborValue = number | string | Uint8Array | CborMap;
export type CborMap = ReadonlyMap<number | string, CborValue>;

function head(major: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('bad CBOR length');
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x10000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  if (length < 0x100000000) {
    const out = new Uint8Array(5);
    out[0] = m | 26;
    new DataView(out.buffer).setUint32(1, length);
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = m | 27;
  new DataView(out.buffer).setBigUint64(1, BigInt(length));
  return out;
}

function encodeInto(value: CborValue, parts: Uint8Array[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError('CBOR numbers must be integers');
    parts.push(value >= 0 ? head(0, value) : head(1, -1 - value));
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    parts.push(head(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    parts.push(head(2, value.length), value);
  } else {
    parts.push(head(5, value.size));
    for (const [k, v] of value) {
      encodeInto(k, parts);
      encodeInto(v, parts);
    }
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  encodeInto(value, parts);
  return Buffer.concat(parts);
}
