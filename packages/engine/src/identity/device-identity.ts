import type { DeviceCertificate, NodeId, UserId } from '@poolnet/protocol';
import type { Crypto } from '../ports/crypto.js';
import { issueCertificate } from './certificate.js';

/** What a device needs to sign its pool messages: its key pair and its certificate. */
export interface DeviceIdentity {
  readonly nodeId: NodeId;
  readonly userId: UserId;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly certificate: DeviceCertificate;
}

/**
 * A certificate authority for tests and the simulator (the sync server plays this role in a
 * real pool): it makes device identities whose certificates it signs.
 */
export class TestAuthority {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;

  constructor(
    private readonly crypto: Crypto,
    private readonly validForMs = 365 * 24 * 3600 * 1000,
  ) {
    const keys = crypto.generateKeyPair();
    this.secretKey = keys.secretKey;
    this.publicKey = keys.publicKey;
  }

  identity(nodeId: NodeId, userId: UserId, nowMs: number): DeviceIdentity {
    const keys = this.crypto.generateKeyPair();
    const certificate = issueCertificate(this.crypto, this.secretKey, {
      nodeId,
      userId,
      publicKey: keys.publicKey,
      expiresAtMs: nowMs + this.validForMs,
    });
    return { nodeId, userId, ...keys, certificate };
  }
}
