import { createHash } from 'node:crypto';
import { asNodeId, idFromBytes, type NodeId } from '@poolnet/protocol';

/**
 * The device a passkey belongs to ([AUTH8]). Every device is created together with the
 * passkey it registered (first device at registration, others by add-device code), and its
 * id is derived from that passkey's credential id, so a sign-in with the passkey finds its
 * device without a column linking the two. Hashing keeps the credential id (which a browser
 * would accept as `allowCredentials`) out of the node id that pool members see.
 *
 * 128 bits of SHA-256 as base64url: 22 visible ASCII characters, a valid node id.
 */
export const deviceIdForCredential = (credentialId: string): NodeId =>
  asNodeId(
    idFromBytes(
      createHash('sha256')
        .update('poolnet device of credential\0', 'utf8')
        .update(credentialId, 'utf8')
        .digest()
        .subarray(0, 16),
    ),
  );
