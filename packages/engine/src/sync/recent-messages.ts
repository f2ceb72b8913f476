interface Entry {
  /** Encoded SignedPoolMessage: compact, and shared with the message store. */
  readonly signed: Uint8Array;
  readonly at: number;
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
    this.entries.set(id, { signed, at: now });
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

  /** Ids within the age limit, oldest first, with how long ago each was received. */
  digest(now: number): Digest {
    const ids: string[] = [];
    const ages: number[] = [];
    for (const [id, e] of this.entries) {
      if (now - e.at > this.maxAgeMs) continue;
      ids.push(id);
      ages.push(now - e.at);
    }
    return { ids, ages };
  }
}
