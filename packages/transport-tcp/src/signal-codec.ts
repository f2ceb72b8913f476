import { randomBytes } from 'node:crypto';
import { MAX_SIGNAL_PAYLOAD_BYTES } from '@poolnet/protocol';
import { isDialable, MAX_CANDIDATES, type TcpCandidate } from './candidates.js';
import { TcpError } from './errors.js';
import { MAX_MESSAGE_BYTES_LIMIT } from './options.js';

/** The version of the signal format; a blob with another is refused (`BAD_SIGNAL`). */
export const SIGNAL_VERSION = 1;

/** The smallest `maxMessageBytes` a peer may offer: below it the engine could not work. */
export const MIN_MESSAGE_BYTES = 1024;

/**
 * The signalling blobs of a TCP link: UTF-8 JSON, version `v`, type `t`, and the session id
 * `s` of one open attempt (chosen by the initiator, echoed by the responder; blobs of another
 * session are stale and ignored).
 *
 *   {"v":1,"t":"offer","s":"<24 hex>","fp":"<64 hex>","m":262144,"c":[{"h":"192.0.2.7","p":41234}]}
 *   {"v":1,"t":"answer", same fields }
 *   {"v":1,"t":"fail","s":"<24 hex>"}
 *
 * `fp` is the SHA-256 of the sender's certificate (the far end pins it), `m` the largest frame
 * the sender accepts, `c` where the sender listens. `fail` says "I reached none of your
 * candidates": when both ends said it, both give up at once instead of waiting for the timeout.
 */
export type TcpSignal =
  | {
      readonly t: 'offer' | 'answer';
      readonly s: string;
      readonly fp: string;
      readonly m: number;
      readonly c: readonly TcpCandidate[];
    }
  | { readonly t: 'fail'; readonly s: string };

const SESSION = /^[0-9a-z]{8,32}$/;
const FINGERPRINT = /^[0-9a-f]{64}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encode one blob; throws `TcpError('BAD_SIGNAL')` above the server's payload limit. */
export function encodeSignal(signal: TcpSignal): Uint8Array {
  const body =
    signal.t === 'fail'
      ? { v: SIGNAL_VERSION, t: signal.t, s: signal.s }
      : {
          v: SIGNAL_VERSION,
          t: signal.t,
          s: signal.s,
          fp: signal.fp,
          m: signal.m,
          c: signal.c.map((c) => ({ h: c.host, p: c.port })),
        };
  const bytes = encoder.encode(JSON.stringify(body));
  if (bytes.byteLength > MAX_SIGNAL_PAYLOAD_BYTES) {
    throw new TcpError('BAD_SIGNAL', `signal of ${bytes.byteLength} bytes exceeds the limit`);
  }
  return bytes;
}

/**
 * Decode and check one blob from the far end, which is not trusted: anything but exactly a
 * signal of this version (bad UTF-8 or JSON, unknown type, missing, mistyped or out-of-range
 * field, a candidate that is not a unicast IP literal and port, too many candidates) throws
 * `TcpError('BAD_SIGNAL')`. Unknown extra fields are ignored (room for later minor additions).
 */
export function decodeSignal(payload: Uint8Array): TcpSignal {
  if (payload.byteLength === 0 || payload.byteLength > MAX_SIGNAL_PAYLOAD_BYTES) {
    throw bad(`a blob of ${payload.byteLength} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch (cause) {
    throw bad('not UTF-8 JSON', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('not an object');
  const v = value as Record<string, unknown>;
  if (v.v !== SIGNAL_VERSION) throw bad(`unsupported version ${JSON.stringify(v.v)}`);
  if (typeof v.s !== 'string' || !SESSION.test(v.s)) throw bad('bad session id');
  if (v.t === 'fail') return { t: 'fail', s: v.s };
  if (v.t !== 'offer' && v.t !== 'answer') throw bad('unknown type');
  if (typeof v.fp !== 'string' || !FINGERPRINT.test(v.fp)) throw bad('bad fingerprint');
  const m = v.m;
  if (typeof m !== 'number' || !Number.isSafeInteger(m)) throw bad('bad maxMessageBytes');
  if (m < MIN_MESSAGE_BYTES || m > MAX_MESSAGE_BYTES_LIMIT) throw bad('maxMessageBytes range');
  if (!Array.isArray(v.c) || v.c.length > MAX_CANDIDATES) throw bad('bad candidate list');
  const c = v.c.map((entry: unknown): TcpCandidate => {
    if (typeof entry !== 'object' || entry === null) throw bad('bad candidate');
    const { h, p } = entry as Record<string, unknown>;
    const candidate = { host: h, port: p } as TcpCandidate;
    if (!isDialable(candidate)) throw bad(`candidate ${JSON.stringify(entry)} is not dialable`);
    return { host: candidate.host, port: candidate.port };
  });
  return { t: v.t, s: v.s, fp: v.fp, m, c };
}

/** A fresh session id for one open attempt: unguessable, so nobody can claim it first. */
export function newSessionId(): string {
  return randomBytes(12).toString('hex');
}

function bad(what: string, cause?: unknown): TcpError {
  return new TcpError('BAD_SIGNAL', `bad TCP signal: ${what}`, { cause });
}
