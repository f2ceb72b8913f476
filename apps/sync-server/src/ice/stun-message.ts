/**
 * STUN message framing (RFC 5389 §6, §15): the 20-byte header, the attribute list with its
 * 4-byte padding, and the FINGERPRINT that lets a receiver tell STUN from other traffic on the
 * same port. Attribute values stay opaque bytes here; `stun-attributes.ts` reads and writes
 * the ones the responder needs, so an attribute this module does not know (MESSAGE-INTEGRITY,
 * PRIORITY, ICE-CONTROLLED…) still round-trips untouched.
 */

import { crc32 } from 'node:zlib';
import { StunError } from './errors.js';

/** Fixed value in every RFC 5389 header; tells STUN apart from RFC 3489 and from other protocols. */
export const MAGIC_COOKIE = 0x2112a442;
export const STUN_HEADER_BYTES = 20;
export const TRANSACTION_ID_BYTES = 12;
/** The 16-bit length field counts the attributes only, so this is the most they can take. */
export const MAX_ATTRIBUTES_BYTES = 0xffff - 3;

/** Message types (method + class) the responder deals in. Only Binding is implemented. */
export const StunMessageType = {
  BindingRequest: 0x0001,
  BindingIndication: 0x0011,
  BindingSuccessResponse: 0x0101,
  BindingErrorResponse: 0x0111,
} as const;

/** Attribute types of RFC 5389 §18.2. Below 0x8000 a receiver must understand them. */
export const StunAttributeType = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
} as const;

/** XORed into the CRC-32 so that a FINGERPRINT differs from CRCs other protocols carry (§15.5). */
const FINGERPRINT_XOR = 0x5354554e;
const ATTRIBUTE_HEADER_BYTES = 4;
const FINGERPRINT_ATTRIBUTE_BYTES = ATTRIBUTE_HEADER_BYTES + 4;

/** One attribute: its type and its unpadded value. */
export interface StunAttribute {
  readonly type: number;
  readonly value: Uint8Array;
}

/**
 * A message. Attributes keep their wire order (it matters: FINGERPRINT is last,
 * MESSAGE-INTEGRITY covers what precedes it).
 */
export interface StunMessage {
  readonly type: number;
  /** 96 random bits chosen by the requester and echoed in the response. */
  readonly transactionId: Uint8Array;
  readonly attributes: readonly StunAttribute[];
}

/**
 * A message read from the wire. A FINGERPRINT is checked, then left out of `attributes` (the
 * encoder adds a fresh one on request); `hadFingerprint` says whether there was one.
 */
export interface ParsedStunMessage extends StunMessage {
  readonly hadFingerprint: boolean;
}

export interface EncodeOptions {
  /** Append a FINGERPRINT attribute (RFC 5389 §15.5). */
  readonly fingerprint?: boolean;
}

/** CRC-32 of `bytes` XOR 0x5354554e, the value of a FINGERPRINT attribute (§15.5). */
export function fingerprintOf(bytes: Uint8Array): number {
  return (crc32(bytes) ^ FINGERPRINT_XOR) >>> 0;
}

/** The first attribute of `type`, as §15 says only the first of a kind counts. */
export function findAttribute(message: StunMessage, type: number): StunAttribute | undefined {
  return message.attributes.find((attribute) => attribute.type === type);
}

/**
 * Read a STUN message from untrusted bytes (a whole UDP datagram). Throws only `StunError`
 * ([ICE1]): every length is checked against the bytes before it is used. The work is one pass
 * over the input. Attribute values and the transaction id are views into `bytes`, not copies.
 */
export function parseStunMessage(bytes: Uint8Array): ParsedStunMessage {
  if (bytes.length < STUN_HEADER_BYTES) {
    throw new StunError('MALFORMED', `${bytes.length} bytes is shorter than a STUN header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(0);
  if ((type & 0xc000) !== 0) throw new StunError('NOT_STUN', 'the two top bits are not zero');
  if (view.getUint32(4) !== MAGIC_COOKIE) throw new StunError('NOT_STUN', 'wrong magic cookie');
  const length = view.getUint16(2);
  if (length % 4 !== 0) throw new StunError('MALFORMED', `length ${length} is not a multiple of 4`);
  if (STUN_HEADER_BYTES + length !== bytes.length) {
    throw new StunError('MALFORMED', `length ${length} does not match ${bytes.length} bytes`);
  }
  const transactionId = bytes.subarray(8, STUN_HEADER_BYTES);

  const attributes: StunAttribute[] = [];
  let hadFingerprint = false;
  let offset = STUN_HEADER_BYTES;
  while (offset < bytes.length) {
    if (offset + ATTRIBUTE_HEADER_BYTES > bytes.length) {
      throw new StunError('MALFORMED', `attribute header at ${offset} runs past the end`);
    }
    const attributeType = view.getUint16(offset);
    const valueLength = view.getUint16(offset + 2);
    const valueStart = offset + ATTRIBUTE_HEADER_BYTES;
    const next = valueStart + padded(valueLength);
    if (next > bytes.length) {
      throw new StunError('MALFORMED', `attribute 0x${hex(attributeType)} runs past the end`);
    }
    if (attributeType === StunAttributeType.Fingerprint) {
      checkFingerprint(bytes, view, offset, valueLength);
      hadFingerprint = true;
    } else {
      attributes.push({
        type: attributeType,
        value: bytes.subarray(valueStart, valueStart + valueLength),
      });
    }
    offset = next;
  }
  return { type, transactionId, attributes, hadFingerprint };
}

/** Write a message: header, attributes zero-padded to 4 bytes, and FINGERPRINT if asked. */
export function encodeStunMessage(message: StunMessage, options: EncodeOptions = {}): Uint8Array {
  if (!Number.isInteger(message.type) || message.type < 0 || message.type > 0x3fff) {
    throw new StunError('INVALID_ARGUMENT', `message type ${message.type} is not 14 bits`);
  }
  if (message.transactionId.length !== TRANSACTION_ID_BYTES) {
    throw new StunError('INVALID_ARGUMENT', `a transaction id has ${TRANSACTION_ID_BYTES} bytes`);
  }
  let attributesBytes = options.fingerprint === true ? FINGERPRINT_ATTRIBUTE_BYTES : 0;
  for (const attribute of message.attributes) {
    if (!Number.isInteger(attribute.type) || attribute.type < 0 || attribute.type > 0xffff) {
      throw new StunError('INVALID_ARGUMENT', `attribute type ${attribute.type} is not 16 bits`);
    }
    attributesBytes += ATTRIBUTE_HEADER_BYTES + padded(attribute.value.length);
  }
  if (attributesBytes > MAX_ATTRIBUTES_BYTES) {
    throw new StunError('INVALID_ARGUMENT', `${attributesBytes} bytes of attributes is too many`);
  }

  const out = new Uint8Array(STUN_HEADER_BYTES + attributesBytes);
  const view = new DataView(out.buffer);
  view.setUint16(0, message.type);
  view.setUint16(2, attributesBytes);
  view.setUint32(4, MAGIC_COOKIE);
  out.set(message.transactionId, 8);
  let offset = STUN_HEADER_BYTES;
  for (const attribute of message.attributes) {
    view.setUint16(offset, attribute.type);
    view.setUint16(offset + 2, attribute.value.length);
    out.set(attribute.value, offset + ATTRIBUTE_HEADER_BYTES);
    offset += ATTRIBUTE_HEADER_BYTES + padded(attribute.value.length);
  }
  if (options.fingerprint === true) {
    // The length field already counts the FINGERPRINT attribute, as §15.5 requires.
    view.setUint16(offset, StunAttributeType.Fingerprint);
    view.setUint16(offset + 2, 4);
    view.setUint32(offset + ATTRIBUTE_HEADER_BYTES, fingerprintOf(out.subarray(0, offset)));
  }
  return out;
}

/** §15.5: the CRC covers the message up to the FINGERPRINT attribute, with the full length. */
function checkFingerprint(bytes: Uint8Array, view: DataView, offset: number, valueLength: number) {
  if (valueLength !== 4) throw new StunError('MALFORMED', `FINGERPRINT of ${valueLength} bytes`);
  if (offset + FINGERPRINT_ATTRIBUTE_BYTES !== bytes.length) {
    throw new StunError('BAD_FINGERPRINT', 'FINGERPRINT is not the last attribute');
  }
  const expected = fingerprintOf(bytes.subarray(0, offset));
  const actual = view.getUint32(offset + ATTRIBUTE_HEADER_BYTES);
  if (actual !== expected) {
    throw new StunError(
      'BAD_FINGERPRINT',
      `FINGERPRINT 0x${hex(actual)}, expected 0x${hex(expected)}`,
    );
  }
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function hex(value: number): string {
  return value.toString(16).padStart(4, '0');
}
