import { MAX_SIGNAL_PAYLOAD_BYTES } from '@poolnet/protocol';

/**
 * The signalling blobs of a WebRTC link: UTF-8 JSON with a type tag `t` and the session id `s`
 * of one open attempt (chosen by the initiator, echoed by the responder), so blobs left over
 * from an earlier attempt with the same peer are ignored.
 *
 *   {"t":"offer","s":"q3k9x0ab","sdp":"v=0…"}
 *   {"t":"answer","s":"q3k9x0ab","sdp":"v=0…"}
 *   {"t":"ice","s":"q3k9x0ab","c":"candidate:1 1 UDP 2114977791 127.0.0.1 50000 typ host","m":"0"}
 */
export type Signal =
  | { readonly t: 'offer' | 'answer'; readonly s: string; readonly sdp: string }
  | { readonly t: 'ice'; readonly s: string; readonly c: string; readonly m: string };

const MAX_CANDIDATE_CHARS = 1024;
const MAX_MID_CHARS = 32;
const SESSION = /^[0-9a-z]{1,32}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encode one blob; `undefined` if it would exceed the server's signal payload limit. */
export function encodeSignal(signal: Signal): Uint8Array | undefined {
  const bytes = encoder.encode(JSON.stringify(signal));
  return bytes.byteLength <= MAX_SIGNAL_PAYLOAD_BYTES ? bytes : undefined;
}

/**
 * Decode and check one blob from the far end. Anything that is not exactly a signal of ours
 * (bad UTF-8 or JSON, unknown tag, missing or oversized field) yields `undefined`: the caller
 * ignores it, because the far end is not trusted to send well-formed blobs.
 */
export function decodeSignal(payload: Uint8Array): Signal | undefined {
  if (payload.byteLength === 0 || payload.byteLength > MAX_SIGNAL_PAYLOAD_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.s !== 'string' || !SESSION.test(v.s)) return undefined;
  if (v.t === 'offer' || v.t === 'answer') {
    if (typeof v.sdp !== 'string' || v.sdp.length === 0) return undefined;
    return { t: v.t, s: v.s, sdp: v.sdp };
  }
  if (v.t === 'ice') {
    const c = v.c;
    const m = v.m ?? '0';
    if (typeof c !== 'string' || c.length === 0 || c.length > MAX_CANDIDATE_CHARS) return undefined;
    if (/[\r\n]/.test(c) || typeof m !== 'string' || m.length > MAX_MID_CHARS) return undefined;
    return { t: 'ice', s: v.s, c, m };
  }
  return undefined;
}

/** A fresh session id for one open attempt (not a secret: it only tells attempts apart). */
export function newSessionId(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}
