interface Entry {
  /** Encoded SignedPoolMessage: compact, and shared with the message store. */
  readonly signed: Uint8Array;
  readonly at: number;
  /** Two 32-bit hashes of the id, summed into the set summary. */
  readonly h1: number;
  readonly h2: number;
}

/** Size and order-independent hash of a set of ids: equal sets give equal summaries. */
export interface Summary {
  readonly count: number;
  readonly hash: bigint;
}

/** FNV-1a over the UTF-16 code units, with a seed: two seeds give two independent hashes. */
function fnv(id: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The summary of a set of ids (the receiver computes it over its own set). */
export function summarize(ids: Iterable<string>): Summary {
  let count = 0;
  let a = 0;
  let b = 0;
  for (const id of ids) {
    count++;
    a = (a + fnv(id, 0x811c9dc5)) >>> 0;
    b = (b + fnv(id, 0x2f6b9a3d)) >>> 0;
  }
  return { count, hash: (BigInt(a) << 32n) | BigInt(b) };
}

/** Recent message ids and, for each, ms since it was received. */
export interface Digest {
  readonly ids: readonly string[];
  readonly ages: readonly number[];
}

/**
 * The last pool messages this node received or sent, kept whole so neighbours can reconcile
 * after a topology change (SYNC3): bounded by count and by age.
 */
export class RecentMessages {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly capacity = 1024,
    readonly maxAgeMs = 10 * 60_000,
  ) {}

  add(id: string, signed: Uint8Array, now: number): void {
    if (this.entries.has(id)) return;
    this.entries.set(id, { signed, at: now, h1: fnv(id, 0x811c9dc5), h2: fnv(id, 0x2f6b9a3d) });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get(id: string): Uint8Array | undefined {
    return this.entries.get(id)?.signed;
  }

  /** When this node received it (or, for a repaired message, when the pool first had it). */
  receivedAt(id: string): number | undefined {
    return this.entries.get(id)?.at;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The summary of the ids `digest(now, settleMs)` would list. */
  summary(now: number, settleMs = 0): Summary {
    let count = 0;
    let a = 0;
    let b = 0;
    for (const e of this.entries.values()) {
      const age = now - e.at;
      if (age > this.maxAgeMs || age < settleMs) continue;
      count++;
      a = (a + e.h1) >>> 0;
      b = (b + e.h2) >>> 0;
    }
    return { count, hash: (BigInt(a) << 32n) | BigInt(b) };
  }

  /**
   * Ids within the age limit and received at least `settleMs` ago (in insertion order), with
   * how long ago each was received.
   */
  digest(now: number, settleMs = 0): Digest {
    const ids: string[] = [];
    const ages: number[] = [];
    for (const [id, e] of this.entries) {
      const age = now - e.at;
      if (age > this.maxAgeMs || age < settleMs) continue;
      ids.push(id);
      ages.push(age);
    }
    return { ids, ages };
  }
}
