/**
 * The selector's own signalling (blobs with transport id 0, see `signal-mux.ts`): UTF-8 JSON
 * of at most 512 bytes. `n` is a session nonce: in `hello` the sender's own, in every other
 * message the link's, which is the initiator's. Anything else from the far end is refused
 * (`undefined`): the caller drops and counts it.
 *
 *   {"t":"hello","n":"<nonce>","ids":[1,2]}   what the sender can use, sent by both at open
 *   {"t":"choose","n":"<nonce>","id":1}       the initiator keeps transport 1 (this epoch)
 *   {"t":"reopen","n":"<nonce>","failed":1}   the carrier on transport 1 dropped: re-open
 *   {"t":"bye","n":"<nonce>"}                  the sender gave the link up while (re)opening
 */
export type ControlMessage =
  | { readonly t: 'hello'; readonly n: string; readonly ids: readonly number[] }
  | { readonly t: 'choose'; readonly n: string; readonly id: number }
  | { readonly t: 'reopen'; readonly n: string; readonly failed: number }
  | { readonly t: 'bye'; readonly n: string };

export const MAX_CONTROL_BYTES = 512;
const NONCE = /^[A-Za-z0-9_-]{8,32}$/;
/** A hello lists at most this many transports. */
const MAX_IDS = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeControl(message: ControlMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

export function decodeControl(payload: Uint8Array): ControlMessage | undefined {
  if (payload.byteLength === 0 || payload.byteLength > MAX_CONTROL_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.n !== 'string' || !NONCE.test(v.n)) return undefined;
  switch (v.t) {
    case 'hello': {
      const ids = v.ids;
      if (!Array.isArray(ids) || ids.length > MAX_IDS || !ids.every(isTransportId)) return;
      return { t: 'hello', n: v.n, ids: ids as number[] };
    }
    case 'choose':
      return isTransportId(v.id) ? { t: 'choose', n: v.n, id: v.id } : undefined;
    case 'reopen':
      return isTransportId(v.failed) ? { t: 'reopen', n: v.n, failed: v.failed } : undefined;
    case 'bye':
      return { t: 'bye', n: v.n };
    default:
      return undefined;
  }
}

function isTransportId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 255;
}
