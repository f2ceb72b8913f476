import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../../src/testing/index.js';

describe('ManualClock', () => {
  it('runs timers in time order, then scheduling order, and lets promises progress between instants', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b@10'), 10);
    clock.setTimeout(() => seen.push('a@5'), 5);
    clock.setTimeout(() => {
      seen.push('c@10');
      void Promise.resolve().then(() => clock.setTimeout(() => seen.push('d@11'), 1));
    }, 10);
    const cancel = clock.setTimeout(() => seen.push('never'), 7);
    cancel();
    await clock.runUntilIdle();
    expect(seen).toEqual(['a@5', 'b@10', 'c@10', 'd@11']);
    expect(clock.now()).toBe(11);
  });

  it('advance stops at the horizon', async () => {
    const clock = new ManualClock(0);
    let fired = 0;
    clock.setTimeout(() => fired++, 100);
    await clock.advance(99);
    expect(fired).toBe(0);
    await clock.advance(1);
    expect(fired).toBe(1);
  });
});

describe('SeededRandom', () => {
  it('is reproducible from its seed and spreads over its range', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new Set(Array.from({ length: 100 }, () => a.int(10))).size).toBe(10);
    expect(new SeededRandom(43).next()).not.toBe(new SeededRandom(42).next());
  });
});
