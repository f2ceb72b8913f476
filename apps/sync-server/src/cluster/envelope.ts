/**
 * The messages instances exchange on NATS about forwarded sessions ([CL4]). One subject per
 * instance carries them all, so NATS keeps them in order per sender. Binary, because every
 * signalling frame of a forwarded device crosses twice: one kind byte, the session id, then
 * the client's or server's frame bytes untouched (or a small JSON body for open and close).
 *
 * Session ids are `<edge instance id>~<counter>`: the owner learns where to answer from it.
 */
import { ClusterError } from './errors.js';

export type EnvelopeKind =
  /** edge → owner: open a session (JSON body: OpenBody); sent as a request, answered. */
  | 'open'
  /** edge → owner: one client frame. */
  | 'toOwner'
  /** edge → owner: the client went away. */
  | 'closeOwner'
  /** owner → edge: one server frame. */
  | 'toEdge'
  /** owner → edge: the owner closed the session (JSON body: CloseBody). */
  | 'closeEdge';

const KIND_BYTE: Readonly<Record<EnvelopeKind, number>> = {
  open: 1,
  toOwner: 2,
  closeOwner: 3,
  toEdge: 4,
  closeEdge: 5,
};
const KIND_OF = new Map(Object.entries(KIND_BYTE).map(([k, v]) => [v, k as EnvelopeKind]));

export interface OpenBody {
  readonly poolId: string;
  /** The lease epoch the edge read: the owner refuses if it no longer holds that one. */
  readonly epoch: number;
  readonly userId: string;
  readonly deviceId: string;
  /** The client's join frame, base64. */
  readonly join: string;
}

export interface CloseBody {
  readonly code: number;
  readonly reason: string;
}

export interface Envelope {
  readonly kind: EnvelopeKind;
  readonly sid: string;
  readonly body: Uint8Array;
}

const SID = /^[A-Za-z0-9_-]{1,64}~\d{1,15}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEnvelope(kind: EnvelopeKind, sid: string, body: Uint8Array): Uint8Array {
  const sidBytes = encoder.encode(sid);
  const out = new Uint8Array(2 + sidBytes.length + body.length);
  out[0] = KIND_BYTE[kind];
  out[1] = sidBytes.length;
  out.set(sidBytes, 2);
  out.set(body, 2 + sidBytes.length);
  return out;
}

export const jsonBody = (value: OpenBody | CloseBody): Uint8Array =>
  encoder.encode(JSON.stringify(value));

/** Throws BAD_ENVELOPE for anything this version did not write. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const kind = KIND_OF.get(bytes[0] ?? 0);
  const sidLength = bytes[1] ?? 0;
  if (kind === undefined || bytes.length < 2 + sidLength) {
    throw new ClusterError('BAD_ENVELOPE', 'not a cluster envelope');
  }
  const sid = decoder.decode(bytes.subarray(2, 2 + sidLength));
  if (!SID.test(sid)) throw new ClusterError('BAD_ENVELOPE', 'bad session id');
  return { kind, sid, body: bytes.subarray(2 + sidLength) };
}

/** The edge instance a session id names. */
export const edgeOf = (sid: string): string => sid.slice(0, sid.indexOf('~'));

export function parseOpen(body: Uint8Array): OpenBody {
  const value = parseJson(body) as Partial<OpenBody>;
  if (
    typeof value.poolId !== 'string' ||
    typeof value.epoch !== 'number' ||
    typeof value.userId !== 'string' ||
    typeof value.deviceId !== 'string' ||
    typeof value.join !== 'string'
  ) {
    throw new ClusterError('BAD_ENVELOPE', 'bad open body');
  }
  return value as OpenBody;
}

export function parseClose(body: Uint8Array): CloseBody {
  const value = parseJson(body) as Partial<CloseBody>;
  if (typeof value.code !== 'number' || typeof value.reason !== 'string') {
    throw new ClusterError('BAD_ENVELOPE', 'bad close body');
  }
  return { code: value.code, reason: value.reason.slice(0, 120) };
}

function parseJson(body: Uint8Array): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(decoder.decode(body));
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch (cause) {
    throw new ClusterError('BAD_ENVELOPE', 'body is not JSON', { cause });
  }
  throw new ClusterError('BAD_ENVELOPE', 'body is not an object');
}
