import { describe, expect, it } from 'vitest';
import type { ReportReason } from '../src/index.js';
import {
  ClientFrameSchema,
  MAX_ACCESS_TOKEN_BYTES,
  MAX_MEMBERS_PER_FRAME,
  MAX_PROMOTED,
  MAX_SERVER_FRAME_BYTES,
  MAX_SIGNAL_FRAME_BYTES,
  MAX_SIGNAL_PAYLOAD_BYTES,
  ServerFrameSchema,
  create,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  type MessageInitShape,
} from '../src/index.js';
import {
  bytes,
  cert,
  clientBodies,
  clientFrame,
  member,
  position,
  serverBodies,
  serverFrame,
} from './fixtures.js';
import { expectProtocolError, raw } from './expect-error.js';

type Code = Parameters<typeof expectProtocolError>[1];
type ClientInit = MessageInitShape<typeof ClientFrameSchema>;
type ServerInit = MessageInitShape<typeof ServerFrameSchema>;
type ServerBody = NonNullable<ServerInit['body']>;

const clientRejects = (init: ClientInit, code: Code, field?: string) => {
  expectProtocolError(() => decodeClientFrame(raw(ClientFrameSchema, init)), code, field);
  expectProtocolError(() => encodeClientFrame(init), code, field);
};
const serverRejects = (init: ServerInit, code: Code, field?: string) => {
  expectProtocolError(() => decodeServerFrame(raw(ServerFrameSchema, init)), code, field);
  expectProtocolError(() => encodeServerFrame(init), code, field);
};
const joined = (patch: Record<string, unknown>): ServerBody => {
  const body = serverBodies().find((b) => b.case === 'joined');
  if (body?.case !== 'joined') throw new Error('fixture');
  return { case: 'joined', value: { ...body.value, ...patch } } as ServerBody;
};

describe('ClientFrame codec', () => {
  it.each(clientBodies().map((b) => [b.case, b]))('round-trips a %s frame', (_name, body) => {
    const init = clientFrame(body);
    expect(decodeClientFrame(encodeClientFrame(init))).toEqual(create(ClientFrameSchema, init));
  });

  it('[WIRE1] a client frame over MAX_SIGNAL_FRAME_BYTES is rejected before parsing', () => {
    expectProtocolError(
      () => decodeClientFrame(bytes(MAX_SIGNAL_FRAME_BYTES + 1, 0xff)),
      'FRAME_TOO_LARGE',
    );
  });

  it('[WIRE4] a client frame of another version is UNSUPPORTED_VERSION', () => {
    clientRejects({ ...clientFrame(), version: 9 }, 'UNSUPPORTED_VERSION', 'version');
  });

  it('[WIRE20] a client frame without a body is rejected', () => {
    clientRejects({ ...clientFrame(), body: { case: undefined } }, 'INVALID_FIELD', 'body');
  });

  it('[WIRE20] an access token must be 1..MAX_ACCESS_TOKEN_BYTES', () => {
    clientRejects(
      clientFrame({ case: 'auth', value: { accessToken: '' } }),
      'INVALID_FIELD',
      'auth.access_token',
    );
    const accessToken = 't'.repeat(MAX_ACCESS_TOKEN_BYTES + 1);
    clientRejects(
      clientFrame({ case: 'auth', value: { accessToken } }),
      'INVALID_FIELD',
      'auth.access_token',
    );
  });

  it('[WIRE20] joining needs a valid pool id and device', () => {
    const device = { deviceId: 'd', name: 'n' };
    clientRejects(
      clientFrame({ case: 'join', value: { poolId: '', device } }),
      'INVALID_FIELD',
      'join.pool_id',
    );
    clientRejects(
      clientFrame({ case: 'join', value: { poolId: 'p' } }),
      'INVALID_FIELD',
      'join.device',
    );
    const noId = { deviceId: '', name: 'n' };
    clientRejects(
      clientFrame({ case: 'join', value: { poolId: 'p', device: noId } }),
      'INVALID_FIELD',
      'join.device.device_id',
    );
  });

  it('[WIRE20] a signal payload must be 1..MAX_SIGNAL_PAYLOAD_BYTES to a valid node', () => {
    const to = (payload: Uint8Array, toNodeId = 'b') =>
      clientFrame({ case: 'signal', value: { toNodeId, payload } });
    clientRejects(to(new Uint8Array()), 'INVALID_FIELD', 'signal.payload');
    clientRejects(to(bytes(MAX_SIGNAL_PAYLOAD_BYTES + 1)), 'INVALID_FIELD', 'signal.payload');
    clientRejects(to(bytes(10), ''), 'INVALID_FIELD', 'signal.to_node_id');
  });

  it('[WIRE20] reports, verify replies and link states name a valid node', () => {
    clientRejects(
      clientFrame({ case: 'report', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'report.node_id',
    );
    clientRejects(
      clientFrame({ case: 'verifyReply', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'verify_reply.node_id',
    );
    clientRejects(
      clientFrame({ case: 'linkState', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'link_state.node_id',
    );
  });

  it('[WIRE25] a report reason this version does not know is accepted', () => {
    const init = clientFrame({
      case: 'report',
      value: { nodeId: 'b', reason: 77 as ReportReason },
    });
    expect(decodeClientFrame(raw(ClientFrameSchema, init)).body.value).toMatchObject({
      reason: 77,
    });
  });
});

describe('ServerFrame codec', () => {
  it.each(serverBodies().map((b) => [b.case, b]))('round-trips a %s frame', (_name, body) => {
    const init = serverFrame(body);
    expect(decodeServerFrame(encodeServerFrame(init))).toEqual(create(ServerFrameSchema, init));
  });

  it('[WIRE1] a server frame over MAX_SERVER_FRAME_BYTES is rejected before parsing', () => {
    expectProtocolError(
      () => decodeServerFrame(bytes(MAX_SERVER_FRAME_BYTES + 1, 0xff)),
      'FRAME_TOO_LARGE',
    );
  });

  it('[WIRE4] a server frame of another version is UNSUPPORTED_VERSION', () => {
    serverRejects({ ...serverFrame(), version: 0 }, 'UNSUPPORTED_VERSION', 'version');
  });

  it('[WIRE21] a server frame without a body is rejected', () => {
    serverRejects({ ...serverFrame(), body: { case: undefined } }, 'INVALID_FIELD', 'body');
  });

  it('[WIRE21] Joined needs a position, a certificate and a 32-byte authority key', () => {
    serverRejects(serverFrame(joined({ position: undefined })), 'INVALID_FIELD', 'joined.position');
    serverRejects(serverFrame(joined({ cert: undefined })), 'INVALID_FIELD', 'joined.cert');
    serverRejects(
      serverFrame(joined({ authorityPublicKey: bytes(33) })),
      'INVALID_FIELD',
      'joined.authority_public_key',
    );
  });

  it("[WIRE21] Joined's certificate is for the joined node, and its own cell holds it", () => {
    serverRejects(
      serverFrame(joined({ cert: { ...cert(), nodeId: 'other' } })),
      'INVALID_FIELD',
      'joined.cert.node_id',
    );
    const moved = { ...position(), cluster: ['n0', '', 'n2', 'n3', 'n4', 'other', '', '', ''] };
    serverRejects(
      serverFrame(joined({ position: moved })),
      'INVALID_FIELD',
      'joined.position.cluster',
    );
  });

  it('[WIRE21] at most MAX_MEMBERS_PER_FRAME members, each with ids, device and path', () => {
    const members = Array.from({ length: MAX_MEMBERS_PER_FRAME + 1 }, (_, i) => ({
      ...member(),
      nodeId: `n${i}`,
    }));
    serverRejects(
      serverFrame({ case: 'memberJoined', value: { members } }),
      'INVALID_FIELD',
      'member_joined.members',
    );
    serverRejects(serverFrame(joined({ members })), 'INVALID_FIELD', 'joined.members');
    const badPath = [{ ...member(), path: [] }];
    serverRejects(
      serverFrame({ case: 'memberJoined', value: { members: badPath } }),
      'INVALID_FIELD',
      'member_joined.members[].path',
    );
    const noDevice = [{ ...member(), device: undefined }];
    serverRejects(
      serverFrame({ case: 'memberJoined', value: { members: noDevice } }),
      'INVALID_FIELD',
      'member_joined.members[].device',
    );
  });

  it('[WIRE21] MemberLeft promotions are at most MAX_PROMOTED, each with a valid path and slot', () => {
    const p = { nodeId: 'd', path: [0, 1], slot: 0 };
    const left = (promoted: (typeof p)[]) =>
      serverFrame({ case: 'memberLeft', value: { nodeId: 'b', promoted } });
    serverRejects(left([{ ...p, slot: 3 }]), 'INVALID_FIELD', 'member_left.promoted[].slot');
    serverRejects(left([{ ...p, path: [1, 2] }]), 'INVALID_FIELD', 'member_left.promoted[].path');
    serverRejects(
      left(new Array(MAX_PROMOTED + 1).fill(p)),
      'INVALID_FIELD',
      'member_left.promoted',
    );
  });

  it('[WIRE21] orders, verifies and relayed signals name a valid node', () => {
    serverRejects(
      serverFrame({ case: 'connect', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'connect.node_id',
    );
    serverRejects(
      serverFrame({ case: 'disconnect', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'disconnect.node_id',
    );
    serverRejects(
      serverFrame({ case: 'verify', value: { nodeId: '' } }),
      'INVALID_FIELD',
      'verify.node_id',
    );
    const signal = { fromNodeId: 'b', payload: new Uint8Array() };
    serverRejects(
      serverFrame({ case: 'signal', value: signal }),
      'INVALID_FIELD',
      'signal.payload',
    );
  });

  it('[WIRE21] a position update carries a valid position', () => {
    serverRejects(
      serverFrame({ case: 'position', value: {} }),
      'INVALID_FIELD',
      'position.position',
    );
  });

  it('[WIRE21] an error message over MAX_ERROR_MESSAGE_BYTES is rejected', () => {
    const value = { code: 1, message: 'e'.repeat(2000), seq: 0 };
    serverRejects(serverFrame({ case: 'error', value }), 'INVALID_FIELD', 'error.message');
  });
});
