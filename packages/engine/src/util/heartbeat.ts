import type { Cancel, Clock } from '../ports/clock.js';

/**
 * Liveness of one link, for transports. A peer whose machine dies, loses its network or
 * freezes sends nothing at all: libdatachannel notices only when ICE consent expires, 30 s
 * later (measured), and TCP after minutes of retransmissions. So each end beats every
 * `intervalMs`, counts anything it receives as a sign of life, and declares the peer gone
 * after `timeoutMs` without hearing from it.
 */
export class Heartbeat {
  private heard = true;
  private silentMs = 0;
  private cancel: Cancel | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly beat: () => void,
    private readonly silent: () => void,
  ) {}

  /** Start beating (no-op when the interval is 0, liveness off). */
  start(): void {
    if (this.intervalMs > 0 && !this.cancel) this.schedule();
  }

  /** Something arrived from the peer. */
  heardFrom(): void {
    this.heard = true;
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private schedule(): void {
    this.cancel = this.clock.setTimeout(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    this.silentMs = this.heard ? 0 : this.silentMs + this.intervalMs;
    this.heard = false;
    if (this.silentMs >= this.timeoutMs) {
      this.cancel = undefined;
      this.silent();
      return;
    }
    this.beat();
    this.schedule();
  }
}
