/**
 * ClientFrame: node to sync server. The server decodes these from anyone who opens a
 * WebSocket, so they are small (MAX_SIGNAL_FRAME_BYTES) and fully checked before use.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type ClientFrame, ClientFrameSchema } from './gen/poolnet/v1/signal_pb.js';
import { checkDeviceInfo } from './device.js';
import { ProtocolError } from './errors.js';
import { checkBytes, checkId, checkUtf8, invalid } from './field-checks.js';
import { decodeFrame, encodeFrame, type FrameRules } from './frame.js';
import {
  MAX_ACCESS_TOKEN_BYTES,
  MAX_SIGNAL_FRAME_BYTES,
  MAX_SIGNAL_PAYLOAD_BYTES,
} from './limits.js';
import { PROTOCOL_VERSION } from './version.js';

/**
 * [WIRE4] version = PROTOCOL_VERSION; [WIRE20] exactly one body; an access token of
 * 1..MAX_ACCESS_TOKEN_BYTES; a valid pool id and device; signal payloads of
 * 1..MAX_SIGNAL_PAYLOAD_BYTES; every node id valid.
 */
export function checkClientFrame(frame: ClientFrame): void {
  if (frame.version !== PROTOCOL_VERSION) {
    throw new ProtocolError('UNSUPPORTED_VERSION', {
      field: 'version',
      detail: `${frame.version}`,
    });
  }
  const body = frame.body;
  switch (body.case) {
    case 'auth':
      return checkUtf8(body.value.accessToken, 1, MAX_ACCESS_TOKEN_BYTES, 'auth.access_token');
    case 'join':
      checkId(body.value.poolId, 'join.pool_id');
      return checkDeviceInfo(body.value.device, 'join.device');
    case 'leave':
      return;
    case 'signal':
      checkId(body.value.toNodeId, 'signal.to_node_id');
      return checkBytes(body.value.payload, 1, MAX_SIGNAL_PAYLOAD_BYTES, 'signal.payload');
    case 'report':
      return checkId(body.value.nodeId, 'report.node_id');
    case 'verifyReply':
      return checkId(body.value.nodeId, 'verify_reply.node_id');
    case 'heartbeat':
      return;
    case 'linkState':
      return checkId(body.value.nodeId, 'link_state.node_id');
    case undefined:
      throw invalid('body', 'no body');
  }
}

const rules: FrameRules<typeof ClientFrameSchema> = {
  schema: ClientFrameSchema,
  maxBytes: MAX_SIGNAL_FRAME_BYTES,
  check: checkClientFrame,
};

export const encodeClientFrame = (frame: MessageInitShape<typeof ClientFrameSchema>): Uint8Array =>
  encodeFrame(rules, frame);

/** Decodes one WebSocket message from a node. Throws only ProtocolError. */
export const decodeClientFrame = (bytes: Uint8Array): ClientFrame => decodeFrame(rules, bytes);
