/**
 * Per-address token buckets, one per route class (ARCHITECTURE §6: rate limits on sign-up,
 * sign-in and joins per IP). A bucket holds `burst` tokens and refills continuously at
 * `perMinute`; a request takes one or is refused with the time until one is back.
 *
 * Memory is bounded: a bucket that has refilled to full is the same as no bucket, so idle
 * buckets are dropped, and past `maxBuckets` the least recently used one goes. An attacker
 * spraying addresses can therefore only reset buckets, never grow the server. Time comes from
 * an injected clock (STYLE 16), so tests run without waiting.
 */

/** The kinds of request limited separately: a burst of sign-ins does not block a join. */
export const RATE_CLASSES = ['register', 'sign-in', 'add-device', 'join'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];

export interface BucketLimit {
  /** Tokens a full bucket holds: requests allowed back to back. */
  readonly burst: number;
  /** Tokens added per minute. */
  readonly perMinute: number;
}

export interface RateLimiterOptions {
  readonly limits: Readonly<Record<RateClass, BucketLimit>>;
  readonly maxBuckets: number;
  readonly clock: { now(): number };
}

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

export class RateLimiter {
  /** Map order is recency order: a touched bucket is moved to the end. */
  private readonly buckets = new Map<string, Bucket>();
  private refusedCount = 0;

  constructor(private readonly options: RateLimiterOptions) {}

  /** Take one token for `address` in `rateClass`, or say how long to wait. */
  take(address: string, rateClass: RateClass): RateDecision {
    const limit = this.options.limits[rateClass];
    const now = this.options.clock.now();
    const key = `${rateClass} ${address}`;
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    this.buckets.delete(key);
    const perMs = limit.perMinute / 60_000;
    bucket.tokens = Math.min(limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = now;
    let decision: RateDecision;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      decision = { allowed: true };
    } else {
      this.refusedCount++;
      decision = {
        allowed: false,
        retryAfterSeconds: Math.ceil((1 - bucket.tokens) / perMs / 1000),
      };
    }
    this.buckets.set(key, bucket);
    this.evict(now);
    return decision;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Requests refused since start. */
  get refused(): number {
    return this.refusedCount;
  }

  /**
   * Drop buckets that are full again (oldest first, stopping at the first that is not), then
   * the least recently used while over `maxBuckets`. Amortised O(1) per `take`.
   */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const rateClass = key.slice(0, key.indexOf(' ')) as RateClass;
      const limit = this.options.limits[rateClass];
      const full = bucket.tokens + ((now - bucket.at) * limit.perMinute) / 60_000 >= limit.burst;
      if (!full) break;
      this.buckets.delete(key);
    }
    while (this.buckets.size > this.options.maxBuckets) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) break;
      this.buckets.delete(oldest.value);
    }
  }
}
