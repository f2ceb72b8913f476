import { ManualClock } from '@poolnet/engine/testing';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/http/index.js';

const limits = {
  register: { burst: 3, perMinute: 6 },
  'sign-in': { burst: 1, perMinute: 60 },
  'add-device': { burst: 1, perMinute: 1 },
  join: { burst: 5, perMinute: 60 },
};

describe('rate limiter', () => {
  it('[HTTP17] a token bucket per address and class: burst, then one per refill interval', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ limits, maxBuckets: 100, clock });
    for (let i = 0; i < 3; i++) expect(limiter.take('1.1.1.1', 'register').allowed).toBe(true);
    expect(limiter.take('1.1.1.1', 'register')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    // Other addresses and other classes have their own buckets.
    expect(limiter.take('2.2.2.2', 'register').allowed).toBe(true);
    expect(limiter.take('1.1.1.1', 'sign-in').allowed).toBe(true);
    await clock.advance(4_000);
    expect(limiter.take('1.1.1.1', 'register')).toEqual({ allowed: false, retryAfterSeconds: 6 });
    await clock.advance(6_000);
    expect(limiter.take('1.1.1.1', 'register').allowed).toBe(true);
    expect(limiter.take('1.1.1.1', 'register').allowed).toBe(false);
    expect(limiter.refused).toBe(3);
  });

  it('[HTTP17] memory is bounded: idle buckets are dropped, and past the cap the least recent', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ limits, maxBuckets: 50, clock });
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 'join');
    expect(limiter.size).toBe(50);
    // The most recent address kept its bucket (4 of 5 tokens left).
    for (let i = 0; i < 4; i++) expect(limiter.take('10.0.3.231', 'join').allowed).toBe(true);
    expect(limiter.take('10.0.3.231', 'join').allowed).toBe(false);
    // Once refilled, buckets are the same as none: the next take drops them all.
    await clock.advance(60_000);
    limiter.take('192.0.2.1', 'sign-in');
    expect(limiter.size).toBe(1);
  });
});
