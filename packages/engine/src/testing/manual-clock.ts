import type { Cancel, Clock } from '../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Turns of the microtask queue run between two instants of virtual time. */
const MICROTASK_TURNS = 24;

/** Let promise callbacks queued by the timers just run (transport opens, store writes) run. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < MICROTASK_TURNS; i++) await Promise.resolve();
}

/**
 * Virtual time for tests and the simulator: nothing happens until `advance` or `runUntilIdle`
 * runs the due timers in (time, scheduling order) order. Between two instants the microtask
 * queue is drained, so promise-based code (a transport's `open`) progresses as it would
 * between two real events. Deterministic by construction.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): Cancel {
    const timer: Timer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Number of timers still scheduled (cancelled ones included until they come due). */
  get pending(): number {
    return this.heap.length;
  }

  /** Run every timer due within the next `ms` milliseconds, then set the time to now + ms. */
  async advance(ms: number): Promise<void> {
    const until = this.current + Math.max(0, ms);
    await this.runWhile((t) => t.at <= until);
    this.current = until;
  }

  /**
   * Run timers until none is left or the next one is after `limitMs` from now. Returns the
   * number of callbacks run.
   */
  runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<number> {
    const until = this.current + limitMs;
    return this.runWhile((t) => t.at <= until);
  }

  private async runWhile(due: (t: Timer) => boolean): Promise<number> {
    let ran = 0;
    await drainMicrotasks();
    for (;;) {
      let top = this.heap[0];
      if (!top || !due(top)) {
        // Nothing due: give deep promise chains a real turn of the event loop before saying
        // idle (a store read inside a reply can take more microtask turns than we drain).
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        top = this.heap[0];
        if (!top || !due(top)) return ran;
      }
      // Run every timer of this instant, then let their promise callbacks run.
      const instant = top.at;
      this.current = Math.max(this.current, instant);
      for (;;) {
        const next = this.heap[0];
        if (!next || next.at !== instant) break;
        this.pop();
        if (next.cancelled) continue;
        next.callback();
        ran++;
      }
      await drainMicrotasks();
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!this.less(timer, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = timer;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      if (l < h.length && this.less(h[l]!, smallest)) {
        smallest = h[l]!;
        at = l;
      }
      if (r < h.length && this.less(h[r]!, smallest)) {
        smallest = h[r]!;
        at = r;
      }
      if (at < 0) break;
      h[i] = smallest;
      i = at;
    }
    h[i] = last;
  }
}
