/**
 * One connection, from its first byte to its close: authentication, the one join it may make,
 * heartbeats, silence and bad frames. Pool work (placement, relay, reports) is the `LivePool`'s;
 * the session only checks that the connection may ask for it.
 *
 * Frames are handled one at a time in arrival order (a join waits for the membership check
 * before the next frame is looked at), and nothing escapes `receive`: every refusal becomes a
 * ServerError frame ([SIG13]).
 */
import {
  type ClientFrame,
  type DeviceInfo,
  type JoinPool,
  type NodeId,
  type PoolId,
  asPoolId,
  decodeClientFrame,
} from '@poolnet/protocol';
import type {
  Cancel,
  Certification,
  Clock,
  HubLimits,
  Identity,
  RemoteLink,
  JoinRouteRequest,
} from './config.js';
import type { Connection, Session } from './connection.js';
import {
  CLOSE_NORMAL,
  SignallingError,
  closeCodeOf,
  isSignallingError,
  serverErrorOf,
} from './errors.js';
import type { LivePool, PoolPeer } from './live-pool.js';
import type { SignallingMetrics } from './metrics.js';
import { encodeFrame } from './server-frames.js';
import { SlidingCount } from './sliding-count.js';

/** What a session needs from the hub. */
export interface SessionHost {
  readonly clock: Clock;
  readonly limits: HubLimits;
  readonly metrics: SignallingMetrics;
  /** The token's identity, or undefined; a failing backend is an INTERNAL SignallingError. */
  authenticate(accessToken: string): Promise<Identity | undefined>;
  /** Membership check and certificate; throws NOT_A_MEMBER or INTERNAL. */
  admit(identity: Identity, poolId: PoolId): Promise<Certification>;
  /** Places the node now (synchronously) and returns its pool. */
  place(
    session: NodeSession,
    poolId: PoolId,
    joiner: { identity: Identity; device: DeviceInfo },
    certification: Certification,
    ackSeq: number,
  ): LivePool;
  /** Cluster mode: where the pool is served ([SIG17]); absent, always here. */
  route?(request: JoinRouteRequest): Promise<'local' | RemoteLink>;
  /** The session is over: take its node out of its pool if it is still there. */
  detach(session: NodeSession, placement: Placement | undefined): void;
}

export interface Placement {
  readonly pool: LivePool;
  readonly nodeId: NodeId;
}

type Phase =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'authenticated'; readonly identity: Identity }
  | { readonly kind: 'joined'; readonly identity: Identity; readonly placement: Placement }
  | {
      readonly kind: 'forwarded';
      readonly identity: Identity;
      readonly poolId: PoolId;
      readonly link: RemoteLink;
    }
  | { readonly kind: 'closed' };

export class NodeSession implements Session, PoolPeer {
  private phase: Phase = { kind: 'connecting' };
  private queue: Promise<void> = Promise.resolve();
  private cancelDeadline: Cancel;
  /** A send threw: the socket is gone, the close is on its way. */
  private broken = false;
  private readonly badFrames: SlidingCount;

  /**
   * `forwardedFor`: cluster mode, the session was opened by the instance holding the socket,
   * which authenticated it already; it starts authenticated and may only be served here.
   */
  constructor(
    private readonly conn: Connection,
    private readonly host: SessionHost,
    private readonly forwardedFor?: Identity,
  ) {
    this.badFrames = new SlidingCount(host.limits.badFrameWindowMs);
    this.cancelDeadline = () => undefined;
    if (forwardedFor === undefined) {
      this.cancelDeadline = host.clock.setTimeout(
        () => this.end(new SignallingError('AUTH_TIMEOUT', 'no auth frame in time')),
        host.limits.authTimeoutMs,
      );
    } else {
      this.phase = { kind: 'authenticated', identity: forwardedFor };
      this.armSilence();
    }
  }

  get isClosed(): boolean {
    return this.phase.kind === 'closed';
  }

  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }

  /** Whose connection this is, once authenticated. */
  get identity(): Identity | undefined {
    return this.phase.kind === 'closed' || this.phase.kind === 'connecting'
      ? undefined
      : this.phase.identity;
  }

  /** The pool this connection's node is placed in (here or, forwarded, on its owner). */
  get poolId(): PoolId | undefined {
    if (this.phase.kind === 'forwarded') return this.phase.poolId;
    return this.phase.kind === 'joined' ? this.phase.placement.pool.poolId : undefined;
  }

  receive(bytes: Uint8Array): Promise<void> {
    if (this.phase.kind === 'closed') return Promise.resolve();
    // [SIG8] Any frame shows the node is alive; before auth the auth deadline stands.
    if (this.phase.kind !== 'connecting') this.armSilence();
    const run = this.queue
      .then(() => this.handle(bytes))
      .catch((cause: unknown) =>
        this.end(new SignallingError('INTERNAL', 'frame handler failed', { cause })),
      );
    this.queue = run;
    return run;
  }

  closed(): void {
    this.finish();
  }

  send(frame: Uint8Array): void {
    if (this.phase.kind === 'closed' || this.broken) return;
    try {
      this.conn.send(frame);
    } catch {
      // The transport will usually call closed() too; do not rely on it, and do not re-enter
      // the pool that is sending right now.
      this.broken = true;
      queueMicrotask(() => this.finish());
    }
  }

  expel(reason: SignallingError): void {
    this.end(reason);
  }

  /** Forwarded: the owner closed the session; its error frame (if any) came already. */
  closeWith(code: number, reason: string): void {
    if (this.phase.kind === 'closed') return;
    this.finish();
    try {
      this.conn.close(code, reason);
    } catch {
      // Already closed by the other side.
    }
  }

  private async handle(bytes: Uint8Array): Promise<void> {
    if (this.phase.kind === 'closed') return;
    // Forwarded: the owner judges every frame (heartbeats travel on too). Queued like the
    // rest, so nothing overtakes the join still waiting for its route.
    if (this.phase.kind === 'forwarded') return this.phase.link.forward(bytes);
    let frame: ClientFrame;
    try {
      frame = decodeClientFrame(bytes);
    } catch (err) {
      this.badFrame(err);
      return;
    }
    try {
      await this.apply(frame, bytes);
    } catch (err) {
      this.refuse(err, frame.seq);
    }
  }

  /** [SIG11] An error frame with the decoder's code; a burst closes the connection. */
  private badFrame(err: unknown): void {
    this.host.metrics.badFrames++;
    this.sendError(err, 0);
    if (this.phase.kind === 'connecting') {
      this.end(new SignallingError('NOT_AUTHENTICATED', 'first frame did not decode'), 0, false);
    } else if (this.badFrames.add(this.host.clock.now()) >= this.host.limits.maxBadFrames) {
      this.end(new SignallingError('TOO_MANY_BAD_FRAMES', 'too many bad frames'));
    }
  }

  /** [SIG13] One error frame for a refused frame; before auth, and for closing codes, close. */
  private refuse(err: unknown, seq: number): void {
    if (this.phase.kind === 'closed') return;
    const closes = isSignallingError(err) ? err.closes : false;
    if (closes || this.phase.kind === 'connecting') {
      const reason = isSignallingError(err)
        ? err
        : new SignallingError('INTERNAL', 'failed before auth', { cause: err });
      this.sendError(err, seq);
      this.end(reason, seq, false);
    } else {
      this.sendError(err, seq);
    }
  }

  private async apply(frame: ClientFrame, bytes: Uint8Array): Promise<void> {
    const { body, seq } = frame;
    const phase = this.phase;
    if (phase.kind === 'closed' || phase.kind === 'forwarded') return;
    if (phase.kind === 'connecting') {
      if (body.case !== 'auth') {
        throw new SignallingError('NOT_AUTHENTICATED', `first frame was ${body.case ?? 'empty'}`);
      }
      return this.authenticate(body.value.accessToken, seq);
    }
    switch (body.case) {
      case 'auth':
        throw new SignallingError('ALREADY_AUTHENTICATED', 'already authenticated');
      case 'heartbeat':
        return this.send(
          encodeFrame(
            {
              case: 'heartbeatAck',
              value: {
                sentMs: body.value.sentMs,
                serverMs: BigInt(Math.floor(this.host.clock.now())),
              },
            },
            seq,
          ),
        );
      case 'join':
        return this.join(phase.identity, body.value, seq, bytes);
      case 'leave':
        this.placement();
        return this.end(undefined);
      case 'signal': {
        const { pool, nodeId } = this.placement();
        return pool.relay(nodeId, body.value.toNodeId as NodeId, body.value.payload);
      }
      case 'report': {
        const { pool, nodeId } = this.placement();
        return pool.report(nodeId, body.value.nodeId as NodeId, body.value.reason);
      }
      case 'verifyReply': {
        const { pool, nodeId } = this.placement();
        return pool.answer(nodeId, body.value.nodeId as NodeId, body.value.reachable);
      }
      case 'linkState':
        // Accepted from joined nodes and not acted on yet: the hub trusts verify answers.
        this.placement();
        return;
      case undefined:
        return;
    }
  }

  /** [SIG4] The token comes in the first frame; a bad one closes the connection. */
  private async authenticate(accessToken: string, seq: number): Promise<void> {
    const identity = await this.host.authenticate(accessToken);
    if (this.phase.kind === 'closed') return;
    if (!identity) throw new SignallingError('BAD_TOKEN', 'access token refused');
    this.cancelDeadline();
    this.phase = { kind: 'authenticated', identity };
    this.armSilence();
    this.send(
      encodeFrame(
        {
          case: 'authenticated',
          value: { userId: identity.userId, deviceId: identity.deviceId },
        },
        seq,
      ),
    );
  }

  /** [SIG5] One join per connection, for the token's own device, in a pool of the user's. */
  private async join(
    identity: Identity,
    join: JoinPool,
    seq: number,
    bytes: Uint8Array,
  ): Promise<void> {
    if (this.phase.kind === 'joined' || this.phase.kind === 'forwarded') {
      throw new SignallingError('ALREADY_JOINED', 'this connection already carries a node');
    }
    const device = join.device;
    if (!device || device.deviceId !== identity.deviceId) {
      throw new SignallingError('WRONG_DEVICE', 'the token is bound to another device');
    }
    const poolId = asPoolId(join.poolId);
    if (this.host.route) {
      const route = await this.host.route({
        poolId,
        identity,
        joinFrame: bytes,
        forwarded: this.forwardedFor !== undefined,
        peer: this,
      });
      if (route !== 'local') {
        if (this.phase.kind === 'closed') return route.close();
        this.phase = { kind: 'forwarded', identity, poolId, link: route };
        return;
      }
      if (this.phase.kind === 'closed') return;
    }
    const certification = await this.host.admit(identity, poolId);
    if (this.phase.kind === 'closed') return;
    const pool = this.host.place(this, poolId, { identity, device }, certification, seq);
    this.phase = { kind: 'joined', identity, placement: { pool, nodeId: identity.deviceId } };
  }

  private placement(): Placement {
    if (this.phase.kind !== 'joined') throw new SignallingError('NOT_JOINED', 'join a pool first');
    return this.phase.placement;
  }

  private armSilence(): void {
    this.cancelDeadline();
    this.cancelDeadline = this.host.clock.setTimeout(() => {
      this.host.metrics.silentClosed++;
      this.end(new SignallingError('SILENT', 'no frame within the heartbeat timeout'));
    }, this.host.limits.heartbeatTimeoutMs);
  }

  private sendError(err: unknown, seq: number): void {
    try {
      this.send(encodeFrame({ case: 'error', value: serverErrorOf(err, seq) }));
    } catch {
      // An error frame that cannot be encoded is dropped; the close (if any) still happens.
    }
  }

  /**
   * Ends the session from our side: the reason as an error frame (unless already sent), the
   * node out of its pool, then the socket closed with the reason's close code. `undefined` is
   * a normal `leave`.
   */
  private end(reason: SignallingError | undefined, seq = 0, notify = true): void {
    if (this.phase.kind === 'closed') return;
    if (reason && notify) this.sendError(reason, seq);
    this.finish();
    try {
      if (reason) this.conn.close(closeCodeOf(reason), reason.code);
      else this.conn.close(CLOSE_NORMAL, 'leave');
    } catch {
      // Already closed by the other side.
    }
  }

  /** The session is over, whoever ended it. Idempotent. */
  private finish(): void {
    const phase = this.phase;
    if (phase.kind === 'closed') return;
    this.phase = { kind: 'closed' };
    this.cancelDeadline();
    if (phase.kind === 'forwarded') phase.link.close();
    this.host.detach(this, phase.kind === 'joined' ? phase.placement : undefined);
  }
}
