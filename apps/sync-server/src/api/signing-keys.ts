/**
 * The Ed25519 public keys devices sign pool messages with, which the certificate handed out
 * at join certifies. Kept in the store (`devices.signing_key`), so they survive a restart and
 * any instance of a cluster can certify a joining device.
 */
import type { NodeId, UserId } from '@poolnet/protocol';
import type { ServerStore } from '../store/store.js';

export const SIGNING_KEY_BYTES = 32;

export class DeviceSigningKeys {
  constructor(
    private readonly store: Pick<ServerStore, 'setDeviceSigningKey' | 'getDeviceSigningKey'>,
  ) {}

  /** Sets (or replaces) the key of the user's live device; NOT_FOUND from the store otherwise. */
  async set(userId: UserId, deviceId: NodeId, key: Uint8Array): Promise<void> {
    if (key.length !== SIGNING_KEY_BYTES) throw new Error('an Ed25519 public key is 32 bytes');
    await this.store.setDeviceSigningKey(userId, deviceId, Buffer.from(key).toString('base64url'));
  }

  /** The key of the user's live device, or `undefined` if it registered none. */
  async get(userId: UserId, deviceId: NodeId): Promise<Uint8Array | undefined> {
    const text = await this.store.getDeviceSigningKey(userId, deviceId);
    if (text === undefined) return undefined;
    const key = Buffer.from(text, 'base64url');
    return key.length === SIGNING_KEY_BYTES ? Uint8Array.from(key) : undefined;
  }
}
