/**
 * ServerFrame: sync server to node. A node trusts the server to place it, but still checks
 * every frame: a buggy or hostile server must not crash the engine with a bad position.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  type Joined,
  type Member,
  type MemberLeft,
  type ServerFrame,
  ServerFrameSchema,
} from './gen/poolnet/v1/signal_pb.js';
import { checkDeviceCertificate, checkDeviceInfo } from './device.js';
import { ProtocolError } from './errors.js';
import {
  checkBytes,
  checkCount,
  checkId,
  checkPath,
  checkSlot,
  checkUtf8,
  invalid,
} from './field-checks.js';
import { decodeFrame, encodeFrame, type FrameRules } from './frame.js';
import {
  ED25519_PUBLIC_KEY_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_MEMBERS_PER_FRAME,
  MAX_PROMOTED,
  MAX_SERVER_FRAME_BYTES,
  MAX_SIGNAL_PAYLOAD_BYTES,
  SLOTS_PER_PANEL,
} from './limits.js';
import { checkPosition } from './position.js';
import { PROTOCOL_VERSION } from './version.js';

function checkMembers(members: readonly Member[], field: string): void {
  checkCount(members.length, MAX_MEMBERS_PER_FRAME, field);
  for (const member of members) {
    checkId(member.nodeId, `${field}[].node_id`);
    checkId(member.userId, `${field}[].user_id`);
    checkDeviceInfo(member.device, `${field}[].device`);
    checkPath(member.path, `${field}[].path`);
  }
}

/**
 * [WIRE21] Ids, a valid position whose own cell holds node_id, a certificate for node_id, a
 * 32-byte authority key, at most MAX_MEMBERS_PER_FRAME valid members.
 */
function checkJoined(joined: Joined): void {
  checkId(joined.poolId, 'joined.pool_id');
  checkId(joined.nodeId, 'joined.node_id');
  const position = joined.position;
  checkPosition(position, 'joined.position');
  const ownCell = (position.path[position.path.length - 1] ?? 0) * SLOTS_PER_PANEL + position.slot;
  if (position.cluster[ownCell] !== joined.nodeId) {
    throw invalid('joined.position.cluster', "the node's own cell holds another node");
  }
  const cert = joined.cert;
  checkDeviceCertificate(cert, 'joined.cert');
  if (cert.nodeId !== joined.nodeId) {
    throw invalid('joined.cert.node_id', 'certificate is for another node');
  }
  checkBytes(
    joined.authorityPublicKey,
    ED25519_PUBLIC_KEY_BYTES,
    ED25519_PUBLIC_KEY_BYTES,
    'joined.authority_public_key',
  );
  checkMembers(joined.members, 'joined.members');
}

/** [WIRE21] The leaving node and at most MAX_PROMOTED promotions, each id, path and slot. */
function checkMemberLeft(left: MemberLeft): void {
  checkId(left.nodeId, 'member_left.node_id');
  checkCount(left.promoted.length, MAX_PROMOTED, 'member_left.promoted');
  for (const promoted of left.promoted) {
    checkId(promoted.nodeId, 'member_left.promoted[].node_id');
    checkPath(promoted.path, 'member_left.promoted[].path');
    checkSlot(promoted.slot, 'member_left.promoted[].slot');
  }
}

/**
 * [WIRE4] version = PROTOCOL_VERSION; [WIRE21] exactly one body, and each body's ids,
 * positions, payloads and lists within their limits.
 */
export function checkServerFrame(frame: ServerFrame): void {
  if (frame.version !== PROTOCOL_VERSION) {
    throw new ProtocolError('UNSUPPORTED_VERSION', {
      field: 'version',
      detail: `${frame.version}`,
    });
  }
  const body = frame.body;
  switch (body.case) {
    case 'authenticated':
      checkId(body.value.userId, 'authenticated.user_id');
      return checkId(body.value.deviceId, 'authenticated.device_id');
    case 'joined':
      return checkJoined(body.value);
    case 'position':
      return checkPosition(body.value.position, 'position.position');
    case 'connect':
      return checkId(body.value.nodeId, 'connect.node_id');
    case 'disconnect':
      return checkId(body.value.nodeId, 'disconnect.node_id');
    case 'signal':
      checkId(body.value.fromNodeId, 'signal.from_node_id');
      return checkBytes(body.value.payload, 1, MAX_SIGNAL_PAYLOAD_BYTES, 'signal.payload');
    case 'verify':
      return checkId(body.value.nodeId, 'verify.node_id');
    case 'heartbeatAck':
      return;
    case 'memberJoined':
      return checkMembers(body.value.members, 'member_joined.members');
    case 'memberLeft':
      return checkMemberLeft(body.value);
    case 'error':
      return checkUtf8(body.value.message, 0, MAX_ERROR_MESSAGE_BYTES, 'error.message');
    case undefined:
      throw invalid('body', 'no body');
  }
}

const rules: FrameRules<typeof ServerFrameSchema> = {
  schema: ServerFrameSchema,
  maxBytes: MAX_SERVER_FRAME_BYTES,
  check: checkServerFrame,
};

/**
 * Encodes one frame for a node. `check: false` skips the field rules: only for frames built
 * from values the server has checked already (its hot path: member lists at join).
 */
export const encodeServerFrame = (
  frame: MessageInitShape<typeof ServerFrameSchema>,
  options?: { readonly check?: boolean },
): Uint8Array => encodeFrame(rules, frame, options);

/** Decodes one WebSocket message from the sync server. Throws only ProtocolError. */
export const decodeServerFrame = (bytes: Uint8Array): ServerFrame => decodeFrame(rules, bytes);
