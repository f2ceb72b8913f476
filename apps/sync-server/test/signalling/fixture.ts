/**
 * Test bench for the signalling hub: an in-memory `Connection` that decodes every frame the
 * hub sends (so each one is also checked against WIRE21), a node driver that encodes client
 * frames, and a hub on a ManualClock with a token scheme `tok.<user>.<device>`.
 */
import {
  type ClientFrameSchema,
  type MessageInitShape,
  type PoolId,
  type ServerFrame,
  DeviceCertificateSchema,
  PROTOCOL_VERSION,
  asNodeId,
  asPoolId,
  asUserId,
  create,
  decodeServerFrame,
  encodeClientFrame,
} from '@poolnet/protocol';
import { ManualClock } from '@poolnet/engine/testing';
import {
  type Connection,
  type HubConfig,
  type HubLimits,
  type Session,
  SignallingHub,
} from '../../src/signalling/index.js';

export class TestConnection implements Connection {
  readonly remoteAddress = '192.0.2.1';
  /** Every frame received, decoded. */
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  closedWith: { code: number; reason: string } | undefined;
  /** Frames sent after close (a hub bug if ever non-zero). */
  lateSends = 0;

  send(frame: Uint8Array): void {
    if (this.closedWith) {
      this.lateSends++;
      return;
    }
    this.frames.push(decodeServerFrame(frame));
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }

  /** Frames received since the last `take`. */
  take(): ServerFrame[] {
    const fresh = this.frames.slice(this.cursor);
    this.cursor = this.frames.length;
    return fresh;
  }
}

type ClientBody = MessageInitShape<typeof ClientFrameSchema>['body'];

/** One client: a connection, its session and a frame counter. */
export class TestNode {
  private seq = 0;
  constructor(
    readonly id: string,
    readonly conn: TestConnection,
    readonly session: Session,
  ) {}

  /** Sends one frame; returns its seq once the hub has handled it. */
  async send(body: ClientBody): Promise<number> {
    const seq = ++this.seq;
    await this.session.receive(encodeClientFrame({ version: PROTOCOL_VERSION, seq, body }));
    return seq;
  }

  heartbeat(): Promise<number> {
    return this.send({ case: 'heartbeat', value: { sentMs: 1n } });
  }
}

/** What the node was last told about its place, from `joined` and `position` frames. */
export function lastPosition(conn: TestConnection) {
  let last;
  for (const frame of conn.frames) {
    if (frame.body.case === 'joined') last = frame.body.value.position;
    if (frame.body.case === 'position') last = frame.body.value.position;
  }
  return last;
}

export const POOL = asPoolId('pool-1');

export function testHub(options: { limits?: Partial<HubLimits> } & Partial<HubConfig> = {}) {
  const clock = new ManualClock();
  const memberships = new Set<string>();
  const hub = new SignallingHub({
    clock,
    authenticate: async (token) => {
      const [tag, user, device] = token.split('.');
      if (tag !== 'tok' || !user || !device) return undefined;
      return { userId: asUserId(user), deviceId: asNodeId(device) };
    },
    isMember: async (userId, poolId) => memberships.has(`${userId}/${poolId}`),
    certify: async ({ userId, nodeId }) => ({
      cert: create(DeviceCertificateSchema, {
        nodeId,
        userId,
        publicKey: new Uint8Array(32).fill(1),
        expiresAtMs: BigInt(clock.now() + 3_600_000),
        authoritySignature: new Uint8Array(64).fill(2),
      }),
      authorityPublicKey: new Uint8Array(32).fill(3),
    }),
    ...options,
    // Exact frame sequences per join: announce each join at once unless a test says otherwise.
    limits: { memberAnnounceDelayMs: 0, ...options.limits },
  });

  const connect = (id = 'anon'): TestNode => {
    const conn = new TestConnection();
    return new TestNode(id, conn, hub.connect(conn));
  };

  /** A member device, authenticated and joined; `take()` starts at its `joined` frame. */
  const join = async (device: string, user = `u-${device}`, pool: PoolId = POOL) => {
    memberships.add(`${user}/${pool}`);
    const node = connect(device);
    await node.send({ case: 'auth', value: { accessToken: `tok.${user}.${device}` } });
    node.conn.take();
    await node.send({
      case: 'join',
      value: { poolId: pool, device: { deviceId: device, name: `${device}'s laptop` } },
    });
    return node;
  };

  const allow = (user: string, pool: PoolId = POOL) => memberships.add(`${user}/${pool}`);

  return { hub, clock, connect, join, allow };
}

/** Errors a connection received, as [wire code, seq]. */
export const errorsOf = (frames: readonly ServerFrame[]) =>
  frames.flatMap((f) => (f.body.case === 'error' ? [[f.body.value.code, f.body.value.seq]] : []));
