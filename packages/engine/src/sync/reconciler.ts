import {
  MAX_PACKAGE_BYTES,
  MAX_RECONCILE_IDS,
  ReconcileDigestSchema,
  create,
  decodeSignedPoolMessage,
  type DirectMessage,
  type NodeId,
  type ReconcileDigest,
  type SignedPoolMessage,
} from '@poolnet/protocol';
import type { Cancel, Clock } from '../ports/clock.js';
import type { Digest, RecentMessages } from './recent-messages.js';

export interface ReconcilerConfig {
  /** Wait after a position change before comparing with neighbours. */
  reconcileDelayMs: number;
  /** Wait before pulling what a neighbour has and I lack: it may still be in flight. */
  reconcileWaitMs: number;
  /**
   * Only messages received at least this long ago are compared: younger ones may still be on
   * their way to the other side, and comparing them would make the sets differ for nothing.
   * Less than `reconcileDelayMs`, so what was in flight at a change is compared after it.
   */
  reconcileSettleMs: number;
  /** What a neighbour had this long before I joined may still be pulled. */
  joinSlackMs: number;
  /** Bound of the bookkeeping maps, in multiples of which they are swept. */
  recentMessages: number;
}

/** What the reconciler needs from its pool node. */
export interface ReconcilerHost {
  readonly clock: Clock;
  readonly recent: RecentMessages;
  /** Have I seen this pool message? */
  has(id: string): boolean;
  /** When I got my first position (my clock), if I have one. */
  joinedAt(): number | undefined;
  openPeers(): NodeId[];
  isOpen(peer: NodeId): boolean;
  send(peer: NodeId, kind: DirectMessage['kind']): void;
  /** Verify and accept a message obtained by repair; its id when it was new to me. */
  accept(signed: SignedPoolMessage): string | undefined;
}

/**
 * SYNC3: after a topology change, broadcasts in flight may have followed the old tree. Each
 * node then compares its recent message ids with its neighbours — first by summary (count and
 * set hash), then, where the sets differ, by full digests with per-id ages — and pulls what it
 * lacks, asking each id of one neighbour only, and never what predates its own join.
 */
export class Reconciler {
  /** Ids asked of a neighbour, and when. */
  private readonly wanted = new Map<string, number>();
  /** For ids I lack: when the pool first had them (my clock), to keep their true age. */
  private readonly originAt = new Map<string, number>();
  private timer: Cancel | undefined;
  private stopped = false;

  constructor(
    private readonly host: ReconcilerHost,
    private readonly config: ReconcilerConfig,
  ) {}

  /** A new link: compare sets at once. */
  linkUp(peer: NodeId): void {
    this.sendSummary(peer);
  }

  /** My position changed: compare with every neighbour once things settle (debounced). */
  positionChanged(): void {
    this.timer?.();
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      for (const peer of this.host.openPeers()) this.sendSummary(peer);
    }, this.config.reconcileDelayMs);
  }

  /** A message was accepted: forget its bookkeeping; when the pool first had it, if known. */
  settled(id: string): number | undefined {
    this.wanted.delete(id);
    const origin = this.originAt.get(id);
    this.originAt.delete(id);
    return origin;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.();
  }

  onDigest(peer: NodeId, digest: ReconcileDigest): void {
    const now = this.host.clock.now();
    if (digest.summary) {
      const mine = this.host.recent.summary(now, this.config.reconcileSettleMs);
      if (mine.count === digest.count && mine.hash === digest.setHash) return;
      // We differ: send everything I have; the far end pulls and tells me what I lack.
      this.sendDigest(peer, this.host.recent.digest(now, this.config.reconcileSettleMs), true);
      return;
    }
    // Ages are measured when the digest left, so allow for its transit and some clock steps:
    // what the neighbour had well before I joined is history, which latest sync brings.
    const since = (this.host.joinedAt() ?? now) - this.config.joinSlackMs;
    const { recentIds, agesMs } = digest;
    const lacking = recentIds.filter((id, i) => {
      const origin = now - agesMs[i]!;
      if (this.host.has(id) || origin < since) return false;
      if (!this.originAt.has(id)) this.originAt.set(id, origin);
      return true;
    });
    if (lacking.length > 0) {
      // Some of it may still be on its way along the tree: wait before pulling.
      this.host.clock.setTimeout(() => {
        if (this.stopped || !this.host.isOpen(peer)) return;
        const ids = this.claim(lacking);
        if (ids.length > 0)
          this.host.send(peer, {
            case: 'reconcileWant',
            value: { $typeName: 'poolnet.v1.ReconcileWant', ids },
          });
      }, this.config.reconcileWaitMs);
    }
    if (!digest.complete) return;
    const theirs = new Set(recentIds);
    const mine = this.host.recent.digest(now, this.config.reconcileSettleMs);
    const extra = { ids: [] as string[], ages: [] as number[] };
    mine.ids.forEach((id, i) => {
      if (theirs.has(id)) return;
      extra.ids.push(id);
      extra.ages.push(mine.ages[i]!);
    });
    if (extra.ids.length > 0) this.sendDigest(peer, extra, false);
  }

  onWant(peer: NodeId, ids: readonly string[]): void {
    let batch: SignedPoolMessage[] = [];
    let size = 0;
    const flush = (): void => {
      if (batch.length > 0) {
        this.host.send(peer, {
          case: 'reconcileMessages',
          value: { $typeName: 'poolnet.v1.ReconcileMessages', messages: batch },
        });
      }
      batch = [];
      size = 0;
    };
    for (const id of ids) {
      const bytes = this.host.recent.get(id);
      if (!bytes) continue;
      let signed: SignedPoolMessage;
      try {
        signed = decodeSignedPoolMessage(bytes);
      } catch {
        continue;
      }
      if (size + bytes.length + 16 > MAX_PACKAGE_BYTES / 2) flush();
      batch.push(signed);
      size += bytes.length + 16;
    }
    flush();
  }

  onMessages(peer: NodeId, messages: readonly SignedPoolMessage[]): void {
    const fresh: string[] = [];
    for (const signed of messages) {
      const id = this.host.accept(signed);
      if (id) fresh.push(id);
    }
    if (fresh.length === 0) return;
    // What I just repaired, my other neighbours may miss too: announce it to them.
    const now = this.host.clock.now();
    const announce: Digest = {
      ids: fresh,
      ages: fresh.map((id) => now - (this.host.recent.receivedAt(id) ?? now)),
    };
    for (const other of this.host.openPeers()) {
      if (other !== peer) this.sendDigest(other, announce, false);
    }
  }

  /** Of the ids I lack, those not asked of another neighbour recently. */
  private claim(lacking: readonly string[]): string[] {
    const now = this.host.clock.now();
    const wait = this.config.reconcileWaitMs;
    const ids = lacking.filter((id) => {
      if (this.host.has(id)) return false;
      const asked = this.wanted.get(id);
      return asked === undefined || now - asked > wait;
    });
    if (this.wanted.size > 4 * this.config.recentMessages) {
      for (const [id, at] of this.wanted) {
        if (now - at <= wait) continue;
        this.wanted.delete(id);
        this.originAt.delete(id);
      }
    }
    for (const id of ids) this.wanted.set(id, now);
    return ids;
  }

  private sendSummary(peer: NodeId): void {
    const { count, hash } = this.host.recent.summary(
      this.host.clock.now(),
      this.config.reconcileSettleMs,
    );
    this.host.send(peer, {
      case: 'reconcileDigest',
      value: create(ReconcileDigestSchema, { summary: true, complete: true, count, setHash: hash }),
    });
  }

  private sendDigest(peer: NodeId, digest: Digest, complete: boolean): void {
    // A digest holds at most MAX_RECONCILE_IDS ids (WIRE19): keep the newest.
    if (digest.ids.length > MAX_RECONCILE_IDS) {
      const from = digest.ids.length - MAX_RECONCILE_IDS;
      digest = { ids: digest.ids.slice(from), ages: digest.ages.slice(from) };
    }
    this.host.send(peer, {
      case: 'reconcileDigest',
      value: create(ReconcileDigestSchema, {
        recentIds: [...digest.ids],
        agesMs: digest.ages.map((a) => Math.min(Math.round(a), 0xffffffff)),
        complete,
      }),
    });
  }
}
