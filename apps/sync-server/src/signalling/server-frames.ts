/**
 * Encoding of the frames the hub sends. The encoder applies the same rules a node's decoder
 * does (WIRE21), so the hub never sends what a node would reject; a frame the encoder refuses
 * is a bug here or in an injected dependency, and surfaces as INTERNAL, not as the text of
 * the protocol error (which would blame the client).
 */
import {
  type DeviceInfo,
  type MessageInitShape,
  type NodeId,
  type ServerFrameSchema,
  type UserId,
  PROTOCOL_VERSION,
  encodeServerFrame,
} from '@poolnet/protocol';
import { SignallingError } from './errors.js';

export type ServerBody = MessageInitShape<typeof ServerFrameSchema>['body'];

/** One encoded ServerFrame; `ackSeq` is the seq of the client frame it answers (0 = none). */
/**
 * Frames built only from what the hub checked already (device info decoded and checked at
 * join, paths and grids from the topology): encoded without re-checking every member, the
 * cost that dominated joins in a large pool (bench:server profile).
 */
const BUILT_FROM_CHECKED = new Set(['joined', 'memberJoined', 'memberLeft', 'position']);

export function encodeFrame(body: ServerBody, ackSeq = 0): Uint8Array {
  try {
    return encodeServerFrame(
      { version: PROTOCOL_VERSION, ackSeq, body },
      { check: !BUILT_FROM_CHECKED.has(body?.case ?? '') },
    );
  } catch (cause) {
    throw new SignallingError('INTERNAL', `could not encode a ${body?.case ?? 'empty'} frame`, {
      cause,
    });
  }
}

/** A member as other nodes see it (Member in signal.proto). */
export interface MemberView {
  readonly nodeId: NodeId;
  readonly userId: UserId;
  readonly device: DeviceInfo;
  readonly path: readonly number[];
}

export const memberToWire = (member: MemberView) => ({
  nodeId: member.nodeId,
  userId: member.userId,
  device: member.device,
  path: [...member.path],
});
