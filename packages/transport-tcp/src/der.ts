/**
 * A minimal DER encoder (ITU-T X.690), just what a self-signed X.509 certificate needs:
 * each function returns one complete TLV (tag, length, value). Node.js parses certificates
 * (`X509Certificate`) but has no API to make one, and this avoids spawning `openssl`.
 */

const TAG = {
  integer: 0x02,
  bitString: 0x03,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

/** One TLV; the length in short form below 128, else long form (0x80 | byte count). */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  const length = value.byteLength;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(value, header.length);
  return out;
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.sequence, concat(items));
}

/** A SET OF; DER wants its elements sorted by encoding, so they are. */
export function set(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.set, concat([...items].sort(compareBytes)));
}

/** A non-negative INTEGER from its big-endian magnitude (a number or bytes). */
export function integer(value: number | Uint8Array): Uint8Array {
  let bytes: number[];
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('a non-negative integer');
    bytes = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  } else {
    bytes = [...value];
  }
  // Minimal encoding: no leading zero bytes, but one zero byte when the top bit would make
  // the value negative (two's complement).
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes.shift();
  if (bytes.length === 0) bytes = [0];
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.integer, Uint8Array.from(bytes));
}

/** An OBJECT IDENTIFIER from dotted form, e.g. `'1.2.840.10045.4.3.2'`. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${dotted}`);
    return Number(s);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`bad OID ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base 128, most significant group first, the high bit set on all groups but the last.
    const groups = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) {
      groups.unshift((n & 0x7f) | 0x80);
    }
    out.push(...groups);
  }
  return tlv(TAG.oid, Uint8Array.from(out));
}

export function nullValue(): Uint8Array {
  return tlv(TAG.null, new Uint8Array(0));
}

export function utf8String(text: string): Uint8Array {
  return tlv(TAG.utf8String, new TextEncoder().encode(text));
}

/** A BIT STRING of whole bytes (no unused bits). */
export function bitString(bytes: Uint8Array): Uint8Array {
  const value = new Uint8Array(bytes.byteLength + 1);
  value.set(bytes, 1);
  return tlv(TAG.bitString, value);
}

/**
 * An X.509 `Time` (RFC 5280 4.1.2.5): UTCTime `YYMMDDHHMMSSZ` for 1950–2049, else
 * GeneralizedTime `YYYYMMDDHHMMSSZ`; whole seconds, always UTC.
 */
export function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError('a year from 0 to 9999');
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, ascii(two(year % 100) + rest));
  return tlv(TAG.generalizedTime, ascii(String(year).padStart(4, '0') + rest));
}

/** `[n] EXPLICIT`: a context-specific constructed tag around one encoded value. */
export function explicit(n: number, value: Uint8Array): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError('a tag number from 0 to 30');
  return tlv(0xa0 | n, value);
}

function concat(items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((sum, item) => sum + item.byteLength, 0));
  let at = 0;
  for (const item of items) {
    out.set(item, at);
    at += item.byteLength;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
