/**
 * Valid samples of every message kind. Tests break one field at a time from these, so each
 * failure names exactly one rule.
 */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import {
  type DirectMessage,
  type MessageInitShape,
  type PackageSchema,
  type PoolMessageSchema,
  type ClientFrameSchema,
  type ServerFrameSchema,
  DeviceCertificateSchema,
  FileInfoSchema,
  PositionSchema,
  SignedPoolMessageSchema,
  DeviceType,
  MediaKind,
  PROTOCOL_VERSION,
  create,
  encodePoolMessage,
  ErrorCode,
  ReportReason,
} from '../src/index.js';

/** The plain-object form of a message init (not a created message), so tests can spread it. */
export type Init<Desc extends DescMessage> = Exclude<MessageInitShape<Desc>, MessageShape<Desc>>;

export const bytes = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);

export const cert = () =>
  create(DeviceCertificateSchema, {
    nodeId: 'node-a',
    userId: 'user-1',
    publicKey: bytes(32, 1),
    expiresAtMs: 1_900_000_000_000n,
    authoritySignature: bytes(64, 2),
  });

export const fileInfo = () =>
  create(FileInfoSchema, {
    fileId: 'file-1',
    name: 'holiday.jpg',
    size: 1_000_000n,
    originNodeId: 'node-a',
    sha256: bytes(32, 3),
    chunkSize: 65_536,
    chunkHashesRoot: bytes(32, 4),
    mime: 'image/jpeg',
    folderId: '',
    relativePath: '',
  });

type PoolInit = Init<typeof PoolMessageSchema>;
type Content = NonNullable<PoolInit['content']>;

/** One valid content of every kind, by case name. */
export const contents = (): Content[] => [
  {
    case: 'nodeInfo',
    value: { offers: [fileInfo()], deviceName: 'laptop', deviceType: DeviceType.DESKTOP },
  },
  { case: 'text', value: { text: 'hello, pool' } },
  {
    case: 'fileOffer',
    value: {
      files: [{ ...fileInfo(), folderId: 'folder-1', relativePath: 'photos/2024' }],
      folderId: 'folder-1',
      folderName: 'Holiday',
    },
  },
  {
    case: 'mediaOffer',
    value: {
      file: fileInfo(),
      kind: MediaKind.IMAGE,
      width: 640,
      height: 480,
      preview: bytes(100),
    },
  },
  {
    case: 'fileRequest',
    value: {
      fileId: 'file-1',
      requested: [
        { start: 0n, end: 4n },
        { start: 8n, end: 16n },
      ],
      fromOrigin: false,
    },
  },
  { case: 'retractOffer', value: { fileId: 'file-1' } },
  { case: 'retractRequest', value: { fileId: 'file-1' } },
];

export const poolMessage = (
  content: Content = { case: 'text', value: { text: 'hi' } },
): PoolInit => ({
  id: 'msg-1',
  authorNodeId: 'node-a',
  userId: 'user-1',
  createdMs: 1_700_000_000_000n,
  content,
});

export const signed = (content?: Content) =>
  create(SignedPoolMessageSchema, {
    body: encodePoolMessage(poolMessage(content)),
    signature: bytes(64, 5),
    cert: cert(),
  });

type PackageInit = Init<typeof PackageSchema>;
type Body = NonNullable<PackageInit['body']>;

export const pkg = (body: Body = { case: 'pool', value: signed() }): PackageInit => ({
  version: PROTOCOL_VERSION,
  src: { nodeId: 'node-a', path: [1, 0, 1], slot: 2 },
  dests: [],
  hops: 0,
  body,
});

/** One valid direct message of every kind. */
export const directs = (): DirectMessage['kind'][] =>
  [
    { case: 'latestRequest', value: { maxMessages: 100, maxBytes: 200_000 } },
    {
      case: 'latestReply',
      value: {
        messages: [signed()],
        seeders: [{ file: fileInfo(), seederNodeIds: ['node-a', 'node-b'] }],
        truncated: true,
      },
    },
    {
      case: 'reconcileDigest',
      value: { recentIds: ['msg-1', 'msg-2'], agesMs: [120, 40], complete: true },
    },
    { case: 'reconcileWant', value: { ids: ['msg-2'] } },
    { case: 'reconcileMessages', value: { messages: [signed()] } },
  ] as DirectMessage['kind'][];

/** Every Package body kind: a pool message, each direct message, a chunk. */
export const packageBodies = (): Body[] => [
  { case: 'pool', value: signed() },
  ...directs().map((kind): Body => ({ case: 'direct', value: { kind } })),
  { case: 'chunk', value: { fileId: 'file-1', index: 3n, data: bytes(1000) } },
];

/** A center-cluster position of node-a at [1] slot 2. */
export const position = () =>
  create(PositionSchema, {
    path: [1],
    slot: 2,
    cluster: ['n0', '', 'n2', 'n3', 'n4', 'node-a', '', '', ''],
    children: ['c0', '', '', '', '', ''],
    epoch: 42n,
  });

const device = { deviceId: 'dev-1', name: 'Ana laptop', type: DeviceType.DESKTOP };

type ClientBody = NonNullable<Init<typeof ClientFrameSchema>['body']>;
export const clientBodies = (): ClientBody[] => [
  { case: 'auth', value: { accessToken: 'token-abc' } },
  { case: 'join', value: { poolId: 'pool-1', device } },
  { case: 'leave', value: {} },
  { case: 'signal', value: { toNodeId: 'node-b', payload: bytes(300) } },
  { case: 'report', value: { nodeId: 'node-b', reason: ReportReason.UNREACHABLE } },
  { case: 'verifyReply', value: { nodeId: 'node-b', reachable: true } },
  { case: 'heartbeat', value: { sentMs: 123n } },
  { case: 'linkState', value: { nodeId: 'node-b', up: true } },
];

export const clientFrame = (
  body: ClientBody = { case: 'heartbeat', value: {} },
): Init<typeof ClientFrameSchema> => ({
  version: PROTOCOL_VERSION,
  seq: 7,
  body,
});

type ServerBody = NonNullable<Init<typeof ServerFrameSchema>['body']>;
export const member = () => ({ nodeId: 'node-b', userId: 'user-2', device, path: [0] });
export const serverBodies = (): ServerBody[] => [
  { case: 'authenticated', value: { userId: 'user-1', deviceId: 'dev-1' } },
  {
    case: 'joined',
    value: {
      poolId: 'pool-1',
      nodeId: 'node-a',
      position: position(),
      cert: cert(),
      authorityPublicKey: bytes(32, 9),
      members: [member()],
      memberCount: 1,
    },
  },
  { case: 'position', value: { position: position() } },
  { case: 'connect', value: { nodeId: 'node-b', initiator: true } },
  { case: 'disconnect', value: { nodeId: 'node-b' } },
  { case: 'signal', value: { fromNodeId: 'node-b', payload: bytes(200) } },
  { case: 'verify', value: { nodeId: 'node-b' } },
  { case: 'heartbeatAck', value: { sentMs: 1n, serverMs: 2n } },
  { case: 'memberJoined', value: { members: [member(), { ...member(), nodeId: 'node-c' }] } },
  {
    case: 'memberLeft',
    value: { nodeId: 'node-b', promoted: [{ nodeId: 'node-d', path: [0], slot: 1 }] },
  },
  { case: 'error', value: { code: ErrorCode.FORBIDDEN, message: 'not a member', seq: 3 } },
];

export const serverFrame = (
  body: ServerBody = { case: 'heartbeatAck', value: {} },
): Init<typeof ServerFrameSchema> => ({
  version: PROTOCOL_VERSION,
  ackSeq: 7,
  body,
});
