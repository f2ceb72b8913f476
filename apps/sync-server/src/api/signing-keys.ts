/**
 * The Ed25519 public keys devices sign pool messages with, which the certificate handed out
 * at join certifies. IN MEMORY ONLY for now: the store has no column for them, so a restart
 * forgets every key and each device registers it again (`POST /v1/devices/signing-key`)
 * before it joins; in a cluster the join must reach the instance that holds the key.
 */
import type { NodeId, UserId } from '@poolnet/protocol';

export const SIGNING_KEY_BYTES = 32;

export class DeviceSigningKeys {
  private readonly keys = new Map<NodeId, { readonly userId: UserId; readonly key: Uint8Array }>();

  /** Sets (or replaces) the key of the user's device. */
  set(userId: UserId, deviceId: NodeId, key: Uint8Array): void {
    if (key.length !== SIGNING_KEY_BYTES) throw new Error('an Ed25519 public key is 32 bytes');
    this.keys.set(deviceId, { userId, key: Uint8Array.from(key) });
  }

  /** The key of the user's device, or `undefined` if it registered none. */
  get(userId: UserId, deviceId: NodeId): Uint8Array | undefined {
    const entry = this.keys.get(deviceId);
    return entry?.userId === userId ? Uint8Array.from(entry.key) : undefined;
  }

  /** Forgets a revoked device's key. */
  delete(deviceId: NodeId): void {
    this.keys.delete(deviceId);
  }
}
