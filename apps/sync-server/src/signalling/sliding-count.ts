/**
 * Counts events within a sliding time window. Used for bad frames ([SIG11]) and false
 * reports ([SIG10]): an occasional slip is forgiven, a burst is not. The owner acts when the
 * count reaches its limit, so the list never grows much past that limit; it is capped anyway.
 */
export class SlidingCount {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly cap = 1024,
  ) {}

  /** Records one event at `now`; returns how many events fall within the window ending now. */
  add(now: number): number {
    while (this.times.length > 0 && (this.times[0] ?? now) <= now - this.windowMs) {
      this.times.shift();
    }
    this.times.push(now);
    if (this.times.length > this.cap) this.times.shift();
    return this.times.length;
  }
}
