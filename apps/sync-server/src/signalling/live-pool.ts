/**
 * One pool while it has nodes online: its `Topology`, who is connected as which node, and the
 * report verifier. Every change is applied and announced synchronously, so all the orders of
 * one change are queued on every connection before any later frame (a relayed signal, the
 * next join) is handled: the ordering the Go server got from blocking channels (sync-server.md
 * §7.1).
 *
 * Order of frames for one change ([SIG2], [SIG7]):
 * - the newcomer: `joined` (which carries its Position) first, then its link orders;
 * - the others: `position` frames, then `disconnect` orders (to both ends), then `connect`
 *   orders (to both ends, `initiator` set for one), then `memberJoined` / `memberLeft`.
 */
import {
  type DeviceInfo,
  type NodeId,
  type PoolId,
  type UserId,
  MAX_MEMBERS_PER_FRAME,
  ReportReason,
  positionToWire,
} from '@poolnet/protocol';
import { Topology, type TopologyChange } from '@poolnet/engine/topology';
import type { Certification, Clock, HubLimits } from './config.js';
import { SignallingError } from './errors.js';
import type { SignallingMetrics } from './metrics.js';
import { ReportVerifier } from './report-verifier.js';

/** Members per frame of the member list a newcomer gets (well under MAX_MEMBERS_PER_FRAME). */
const MEMBER_CHUNK = 64;
import { type MemberView, type ServerBody, encodeFrame, memberToWire } from './server-frames.js';

/** How the pool reaches the connection of one of its nodes. */
export interface PoolPeer {
  /** Deliver one encoded ServerFrame. Never throws. */
  send(frame: Uint8Array): void;
  /** Close the connection for `reason`. The pool has already removed the node. */
  expel(reason: SignallingError): void;
}

/** A node of the pool and the connection it is reached on. */
export interface PoolMember {
  readonly nodeId: NodeId;
  readonly userId: UserId;
  readonly device: DeviceInfo;
  readonly peer: PoolPeer;
}

/** The read side of a pool's topology, for metrics, tests and admin views. */
export type TopologyView = Pick<
  Topology,
  'size' | 'epoch' | 'has' | 'nodeIds' | 'positionOf' | 'linksOf' | 'checkInvariants'
>;

export class LivePool {
  private readonly topology = new Topology();
  private readonly members = new Map<NodeId, PoolMember>();
  private readonly verifier: ReportVerifier;
  /** Joins not yet announced to the others, and the timer that will. */
  private pendingJoins: NodeId[] = [];
  private flushTimer: (() => void) | undefined;
  private readonly wireMembers = new Map<NodeId, ReturnType<typeof memberToWire>>();
  /** Encoded full chunks of the member list after the first (see `sendMemberList`). */
  private memberChunks: Uint8Array[] = [];
  /** [SIG16] Where nodes that left recently sat, oldest first (Map keeps insertion order). */
  private readonly lastSeats = new Map<
    NodeId,
    { readonly path: number[]; readonly slot: number; readonly until: number }
  >();

  constructor(
    readonly poolId: PoolId,
    private readonly clock: Clock,
    private readonly limits: HubLimits,
    private readonly metrics: SignallingMetrics,
    /** Called once the last node has left; the hub drops the pool. */
    private readonly onEmpty: () => void,
  ) {
    this.verifier = new ReportVerifier(clock, limits, {
      askTarget: (target, about) => this.send(target, { case: 'verify', value: { nodeId: about } }),
      removeDead: (target) =>
        this.expel(target, new SignallingError('UNANSWERED_VERIFY', 'did not answer verify')),
      reorderLink: (a, b) => this.reorderLink(a, b),
      expelReporter: (reporter) =>
        this.expel(reporter, new SignallingError('FALSE_REPORTS', 'too many false reports')),
      counted: (event) => {
        if (event === 'verify') this.metrics.verifies++;
        else if (event === 'dead') this.metrics.deadRemoved++;
        else this.metrics.falseReports++;
      },
    });
  }

  get view(): TopologyView {
    return this.topology;
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * Places `member` ([SIG6], [SIG7]). If its device is already a node here (it reconnected
   * before its old socket died), the old node is removed and announced, and the old
   * connection closed, BEFORE the new node is placed: exactly one node per device, and the
   * old socket's later close cannot touch the new node (the pool checks whose peer it is).
   */
  join(member: PoolMember, certification: Certification, ackSeq: number): void {
    const old = this.members.get(member.nodeId);
    if (old) {
      this.detach(old.nodeId);
      this.metrics.evictions++;
      old.peer.expel(new SignallingError('EVICTED', 'the device joined again elsewhere'));
    }
    const change = this.topology.add(member.nodeId, { prefer: this.takeLastSeat(member.nodeId) });
    this.members.set(member.nodeId, member);
    this.metrics.joins++;

    const ids = this.topology.nodeIds();
    this.send(
      member.nodeId,
      {
        case: 'joined',
        value: {
          poolId: this.poolId,
          nodeId: member.nodeId,
          position: positionToWire(this.topology.positionOf(member.nodeId)),
          cert: certification.cert,
          authorityPublicKey: certification.authorityPublicKey,
          members: ids.slice(0, MEMBER_CHUNK).map((id) => this.wireMember(id)),
          memberCount: ids.length,
        },
      },
      ackSeq,
    );
    this.sendMemberList(member, ids);
    this.apply(change, member.nodeId);
    this.announceJoin(member.nodeId);
  }

  /**
   * [SIG7] Tells the others who joined. With `memberAnnounceDelayMs` > 0 the joins of that
   * window go out together, one frame per node instead of one per join and node: a pool of
   * N filling up costs O(N) frames per window, not O(N^2) in all.
   */
  private announceJoin(nodeId: NodeId): void {
    this.pendingJoins.push(nodeId);
    if (this.limits.memberAnnounceDelayMs === 0) return this.flushJoins();
    this.flushTimer ??= this.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.flushJoins();
    }, this.limits.memberAnnounceDelayMs);
  }

  private flushJoins(): void {
    const joined = this.pendingJoins.filter((id) => this.members.has(id));
    this.pendingJoins = [];
    if (joined.length === 0) return;
    const newcomers = new Set(joined);
    const wire = joined.map((id) => this.wireMember(id));
    const frames: Uint8Array[] = [];
    for (let at = 0; at < wire.length; at += MAX_MEMBERS_PER_FRAME) {
      frames.push(
        encodeFrame({
          case: 'memberJoined',
          value: { members: wire.slice(at, at + MAX_MEMBERS_PER_FRAME) },
        }),
      );
    }
    for (const other of this.members.values()) {
      // A newcomer of this window already had everyone in its `joined`.
      if (joined.length === 1 && newcomers.has(other.nodeId)) continue;
      for (const frame of frames) other.peer.send(frame);
    }
  }

  /**
   * The members after the first MEMBER_CHUNK, as `memberJoined` frames of MEMBER_CHUNK each.
   * Joins only append to the list, so every full chunk is encoded once and its bytes reused
   * for every later newcomer until a node leaves (which reorders and re-paths the list): a
   * join costs one partial chunk of encoding, not the whole pool's.
   */
  private sendMemberList(member: PoolMember, ids: readonly NodeId[]): void {
    for (let at = MEMBER_CHUNK, k = 0; at < ids.length; at += MEMBER_CHUNK, k++) {
      const end = at + MEMBER_CHUNK;
      let frame = end <= ids.length ? this.memberChunks[k] : undefined;
      if (!frame) {
        frame = encodeFrame({
          case: 'memberJoined',
          value: { members: ids.slice(at, end).map((id) => this.wireMember(id)) },
        });
        if (end <= ids.length) this.memberChunks[k] = frame;
      }
      member.peer.send(frame);
    }
  }

  /** The member as the wire shows it, built once and kept until its path changes. */
  private wireMember(id: NodeId): ReturnType<typeof memberToWire> {
    let wire = this.wireMembers.get(id);
    if (!wire) {
      wire = memberToWire(this.memberView(id));
      this.wireMembers.set(id, wire);
    }
    return wire;
  }

  /**
   * Removes `nodeId` if it is still reached through `peer` (leave, socket closed, silence).
   * A stale peer (evicted by a newer connection of the same device) changes nothing.
   */
  remove(nodeId: NodeId, peer: PoolPeer): void {
    if (this.members.get(nodeId)?.peer !== peer) return;
    this.detach(nodeId);
    if (this.members.size === 0) this.close();
  }

  /** [SIG1] Relays a signal from `from` to `to` only if the topology links them. */
  relay(from: NodeId, to: NodeId, payload: Uint8Array): void {
    if (!this.linked(from, to)) {
      this.metrics.refusedSignals++;
      throw new SignallingError('NOT_LINKED', `no link ${from} - ${to}`);
    }
    this.metrics.relayedSignals++;
    this.send(to, { case: 'signal', value: { fromNodeId: from, payload } });
  }

  /** [SIG9] `reporter` cannot reach `target`, which must be one of its neighbours. */
  report(reporter: NodeId, target: NodeId, reason: ReportReason): void {
    if (!this.linked(reporter, target)) {
      throw new SignallingError('NOT_LINKED', `${target} is not a neighbour of ${reporter}`);
    }
    if (reason === ReportReason.MISBEHAVING) {
      // Payloads never pass through the server, so it cannot judge; it only counts.
      this.metrics.misbehaviourReports++;
      return;
    }
    this.verifier.report(reporter, target);
  }

  /** [SIG9] `from` answers a verify about `about`; an answer nobody asked for is ignored. */
  answer(from: NodeId, about: NodeId, reachable: boolean): void {
    this.verifier.answer(from, about, reachable);
  }

  /** Hub shutdown: forget every node and cancel every timer, announcing nothing. */
  dispose(): void {
    this.flushTimer?.();
    this.flushTimer = undefined;
    this.members.clear();
    this.verifier.dispose();
  }

  private linked(a: NodeId, b: NodeId): boolean {
    return this.topology.has(a) && this.topology.has(b) && this.topology.linksOf(a).has(b);
  }

  /** Takes the node out of the tree and announces it; does not drop an empty pool. */
  private detach(nodeId: NodeId): void {
    this.members.delete(nodeId);
    this.verifier.forget(nodeId);
    const { path, slot } = this.topology.positionOf(nodeId);
    this.wireMembers.delete(nodeId);
    this.memberChunks = [];
    this.lastSeats.delete(nodeId);
    this.lastSeats.set(nodeId, {
      path: [...path],
      slot,
      until: this.clock.now() + this.limits.reconnectGraceMs,
    });
    const change = this.topology.remove(nodeId);
    for (const p of change.promoted) this.wireMembers.delete(p.nodeId);
    this.apply(change);
    const left = encodeFrame({
      case: 'memberLeft',
      value: {
        nodeId,
        promoted: change.promoted.map((p) => ({
          nodeId: p.nodeId,
          path: [...p.path],
          slot: p.slot,
        })),
      },
    });
    for (const member of this.members.values()) member.peer.send(left);
  }

  private expel(nodeId: NodeId, reason: SignallingError): void {
    const member = this.members.get(nodeId);
    if (!member) return;
    this.remove(nodeId, member.peer);
    member.peer.expel(reason);
  }

  /**
   * [SIG2] Positions first, then disconnects, then connects, each to both ends. Nodes no longer
   * in the pool (the removed one) get nothing. `joiner` already has its Position in `joined`.
   */
  private apply(change: TopologyChange, joiner?: NodeId): void {
    for (const [id, position] of change.positions) {
      if (id !== joiner)
        this.send(id, { case: 'position', value: { position: positionToWire(position) } });
    }
    for (const { a, b } of change.disconnects) {
      this.send(a, { case: 'disconnect', value: { nodeId: b } });
      this.send(b, { case: 'disconnect', value: { nodeId: a } });
    }
    for (const { initiator, responder } of change.connects) {
      this.send(initiator, { case: 'connect', value: { nodeId: responder, initiator: true } });
      this.send(responder, { case: 'connect', value: { nodeId: initiator, initiator: false } });
    }
  }

  /** After a report: the same link ordered again, both ends, the topology's initiator. */
  private reorderLink(a: NodeId, b: NodeId): void {
    if (!this.linked(a, b)) return;
    const aInitiates = this.topology.linksOf(a).get(b) === true;
    const [initiator, responder] = aInitiates ? [a, b] : [b, a];
    this.send(a, { case: 'disconnect', value: { nodeId: b } });
    this.send(b, { case: 'disconnect', value: { nodeId: a } });
    this.send(initiator, { case: 'connect', value: { nodeId: responder, initiator: true } });
    this.send(responder, { case: 'connect', value: { nodeId: initiator, initiator: false } });
  }

  /** The seat `nodeId` left within the grace period, if any; forgets expired seats. */
  private takeLastSeat(nodeId: NodeId): { path: number[]; slot: number } | undefined {
    const now = this.clock.now();
    for (const [id, seat] of this.lastSeats) {
      if (seat.until > now) break;
      this.lastSeats.delete(id);
    }
    const seat = this.lastSeats.get(nodeId);
    this.lastSeats.delete(nodeId);
    return seat && { path: seat.path, slot: seat.slot };
  }

  private send(to: NodeId, body: ServerBody, ackSeq = 0): void {
    this.members.get(to)?.peer.send(encodeFrame(body, ackSeq));
  }

  private memberView(id: NodeId): MemberView {
    const member = this.members.get(id);
    if (!member) throw new SignallingError('INTERNAL', `placed node ${id} has no member`);
    return { ...member, path: this.topology.positionOf(id).path };
  }

  private close(): void {
    this.flushTimer?.();
    this.flushTimer = undefined;
    this.verifier.dispose();
    this.onEmpty();
  }
}
