/**
 * The signed wrapper of a pool message, as it travels in a Package and as stores keep it.
 * Only its shape is checked here; verifying the signatures is the identity layer's job.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type SignedPoolMessage, SignedPoolMessageSchema } from './gen/poolnet/v1/node_pb.js';
import { checkDeviceCertificate } from './device.js';
import { checkBytes, invalid } from './field-checks.js';
import { decodeFrame, encodeFrame, type FrameRules } from './frame.js';
import { ED25519_SIGNATURE_BYTES, MAX_PACKAGE_BYTES, MAX_POOL_MESSAGE_BYTES } from './limits.js';

/**
 * [WIRE9] A non-empty body of at most MAX_POOL_MESSAGE_BYTES (the encoded PoolMessage), a
 * 64-byte Ed25519 signature (over poolMessageSigningBytes(body)) and a certificate.
 */
export function checkSignedPoolMessage(signed: SignedPoolMessage | undefined, field: string): void {
  if (signed === undefined) throw invalid(field, 'missing');
  checkBytes(signed.body, 1, MAX_POOL_MESSAGE_BYTES, `${field}.body`);
  checkBytes(
    signed.signature,
    ED25519_SIGNATURE_BYTES,
    ED25519_SIGNATURE_BYTES,
    `${field}.signature`,
  );
  checkDeviceCertificate(signed.cert, `${field}.cert`);
}

const rules: FrameRules<typeof SignedPoolMessageSchema> = {
  schema: SignedPoolMessageSchema,
  maxBytes: MAX_PACKAGE_BYTES,
  check: (signed) => checkSignedPoolMessage(signed, 'signed'),
};

/** Encodes a signed pool message on its own (for storage; on the wire it sits in a Package). */
export const encodeSignedPoolMessage = (
  signed: MessageInitShape<typeof SignedPoolMessageSchema>,
): Uint8Array => encodeFrame(rules, signed);

/** Decodes a stored signed pool message. Throws only ProtocolError. */
export const decodeSignedPoolMessage = (bytes: Uint8Array): SignedPoolMessage =>
  decodeFrame(rules, bytes);
