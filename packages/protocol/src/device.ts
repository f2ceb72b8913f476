/**
 * Devices and their certificates: rules for device.proto and the exact bytes the sync
 * server's authority key signs.
 */
import { encodeUtf8 } from './utf8.js';
import type { DeviceCertificate, DeviceInfo } from './gen/poolnet/v1/device_pb.js';
import { checkBytes, checkId, checkUtf8, invalid } from './field-checks.js';
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  MAX_DEVICE_NAME_BYTES,
} from './limits.js';

/** [WIRE20] A device: valid id, a name of at most MAX_DEVICE_NAME_BYTES; any type value. */
export function checkDeviceInfo(device: DeviceInfo | undefined, field: string): void {
  if (device === undefined) throw invalid(field, 'missing');
  checkId(device.deviceId, `${field}.device_id`);
  checkUtf8(device.name, 0, MAX_DEVICE_NAME_BYTES, `${field}.name`);
}

/**
 * [WIRE10] Valid node and user ids, a 32-byte Ed25519 key, a non-zero expiry that fits a
 * JS number, and a 64-byte authority signature. Whether the signature verifies and the
 * certificate is unexpired is the identity layer's job; this is only shape.
 */
export function checkDeviceCertificate(
  cert: DeviceCertificate | undefined,
  field: string,
): asserts cert is DeviceCertificate {
  if (cert === undefined) throw invalid(field, 'missing');
  checkId(cert.nodeId, `${field}.node_id`);
  checkId(cert.userId, `${field}.user_id`);
  checkBytes(
    cert.publicKey,
    ED25519_PUBLIC_KEY_BYTES,
    ED25519_PUBLIC_KEY_BYTES,
    `${field}.public_key`,
  );
  if (cert.expiresAtMs === 0n || cert.expiresAtMs > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid(`${field}.expires_at_ms`, 'not in 1..2^53-1');
  }
  checkBytes(
    cert.authoritySignature,
    ED25519_SIGNATURE_BYTES,
    ED25519_SIGNATURE_BYTES,
    `${field}.authority_signature`,
  );
}

const CERT_DOMAIN = encodeUtf8('poolnet/device-certificate/v1');
const POOL_MESSAGE_DOMAIN = encodeUtf8('poolnet/pool-message/v1');

/** The certificate fields the authority signs; expiry as the wire bigint or a JS number. */
export type CertificateFields = Pick<DeviceCertificate, 'nodeId' | 'userId' | 'publicKey'> & {
  readonly expiresAtMs: bigint | number;
};

/**
 * [WIRE10] The bytes the authority signs for a certificate: the domain tag, node_id,
 * user_id (UTF-8), the public key and expires_at_ms in decimal ASCII, each preceded by its
 * length as 4 bytes big-endian. A fixed layout rather than the protobuf encoding, so the
 * signature does not depend on how a peer re-encodes the message.
 */
export function certificateSigningBytes(fields: CertificateFields): Uint8Array {
  const parts = [
    CERT_DOMAIN,
    encodeUtf8(fields.nodeId),
    encodeUtf8(fields.userId),
    fields.publicKey,
    encodeUtf8(String(fields.expiresAtMs)),
  ];
  let total = 0;
  for (const part of parts) total += 4 + part.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

/**
 * [WIRE9] The bytes an author signs for a pool message: the domain tag
 * "poolnet/pool-message/v1" followed by SignedPoolMessage.body. The tag keeps a device
 * signature over a pool message from ever passing as a signature over anything else.
 */
export function poolMessageSigningBytes(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(POOL_MESSAGE_DOMAIN.length + body.length);
  out.set(POOL_MESSAGE_DOMAIN);
  out.set(body, POOL_MESSAGE_DOMAIN.length);
  return out;
}
