/**
 * Just enough protobuf to sort ServerFrames without decoding them. A 10,000-node pool sends
 * its nodes some fifty million `memberJoined` frames while it forms; fully decoding (and
 * checking) each one would make the load generator, not the server, the bottleneck. So the
 * generator reads the frame's top-level tags only (which body, which ack_seq) and, for the
 * frames it times, the Position's epoch; anything unusual is decoded properly. Field numbers
 * are those of packages/protocol/proto/poolnet/v1/signal.proto.
 */

/** ServerFrame body field numbers. */
export const BODY = {
  authenticated: 10,
  joined: 11,
  position: 12,
  connect: 13,
  disconnect: 14,
  signal: 15,
  verify: 16,
  heartbeatAck: 17,
  memberJoined: 18,
  memberLeft: 19,
  error: 20,
} as const;

const FRAME_ACK_SEQ = 2;
/** Joined.position and PositionUpdate.position. */
const JOINED_POSITION = 3;
const UPDATE_POSITION = 1;
const POSITION_EPOCH = 5;

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LEN = 2;
const WIRE_32BIT = 5;

/** A frame's body field and where its bytes are. Reused by `scanFrame`: copy what you keep. */
export interface FrameScan {
  field: number;
  ackSeq: number;
  start: number;
  end: number;
}

let at = 0;

function varint(bytes: Uint8Array): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
}

/** Skips one field's value of wire type `wire`; returns the varint value (0 otherwise). */
function skip(bytes: Uint8Array, wire: number): number {
  switch (wire) {
    case WIRE_VARINT:
      return varint(bytes);
    case WIRE_64BIT:
      at += 8;
      return 0;
    case WIRE_LEN: {
      // Not `at += varint(bytes)`: that adds to `at` as it was before the length was read.
      const length = varint(bytes);
      at += length;
      return 0;
    }
    case WIRE_32BIT:
      at += 4;
      return 0;
    default:
      throw new Error(`unsupported wire type ${wire}`);
  }
}

const scanned: FrameScan = { field: 0, ackSeq: 0, start: 0, end: 0 };

/** The body (field 0 if none) and ack_seq of an encoded ServerFrame. */
export function scanFrame(bytes: Uint8Array): FrameScan {
  scanned.field = 0;
  scanned.ackSeq = 0;
  at = 0;
  while (at < bytes.length) {
    const tag = varint(bytes);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field >= BODY.authenticated && wire === WIRE_LEN) {
      const length = varint(bytes);
      scanned.field = field;
      scanned.start = at;
      scanned.end = at + length;
      at += length;
    } else {
      const value = skip(bytes, wire);
      if (field === FRAME_ACK_SEQ && wire === WIRE_VARINT) scanned.ackSeq = value;
    }
  }
  if (at !== bytes.length) throw new Error('truncated frame');
  return scanned;
}

/** The range of the length-delimited `field` within [start, end), or undefined. */
function subMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  field: number,
): [number, number] | undefined {
  at = start;
  let found: [number, number] | undefined;
  while (at < end) {
    const tag = varint(bytes);
    if (tag >>> 3 === field && (tag & 7) === WIRE_LEN) {
      const length = varint(bytes);
      found = [at, at + length];
      at += length;
    } else {
      skip(bytes, tag & 7);
    }
  }
  return found;
}

/** The varint `field` within [start, end); 0 (the proto3 default) when absent. */
function varintField(bytes: Uint8Array, start: number, end: number, field: number): number {
  at = start;
  let value = 0;
  while (at < end) {
    const tag = varint(bytes);
    const v = skip(bytes, tag & 7);
    if (tag >>> 3 === field && (tag & 7) === WIRE_VARINT) value = v;
  }
  return value;
}

/** The Position epoch of a scanned `joined` or `position` frame. */
export function positionEpoch(bytes: Uint8Array, scan: FrameScan): number {
  const positionField = scan.field === BODY.joined ? JOINED_POSITION : UPDATE_POSITION;
  const position = subMessage(bytes, scan.start, scan.end, positionField);
  if (position === undefined) throw new Error('frame without a position');
  return varintField(bytes, position[0], position[1], POSITION_EPOCH);
}
