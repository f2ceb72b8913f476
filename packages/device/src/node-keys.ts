/**
 * When a pool's engine node is kept across signalling sessions: while the server certifies the
 * same key under the same authority and the certificate is not about to expire. Links may well
 * outlive a server restart; a new key, authority or certificate needs a new node.
 */
import type { DeviceCertificate } from '@poolnet/protocol';

/** A certificate this close to its expiry is renewed with a new node. */
export const RENEW_BEFORE_MS = 86_400_000;

export interface Certified {
  readonly cert: DeviceCertificate;
  readonly authorityPublicKey: Uint8Array;
}

/** Whether the node made under `current` can serve the session `next` too. */
export function keepsNode(current: Certified | undefined, next: Certified, now: number): boolean {
  if (current === undefined) return false;
  const sameKey =
    sameBytes(current.cert.publicKey, next.cert.publicKey) &&
    sameBytes(current.authorityPublicKey, next.authorityPublicKey);
  const expiresSoon = Number(current.cert.expiresAtMs) - now < RENEW_BEFORE_MS;
  return sameKey && !expiresSoon;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
