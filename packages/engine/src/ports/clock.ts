/** Cancels a scheduled callback. Idempotent. */
export type Cancel = () => void;

/**
 * Time enters the engine only through this port, so tests and the simulator run on virtual
 * time (see testing/manual-clock.ts) and production on the system clock.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): Cancel;
}

/** The platform clock: `Date.now` and the global `setTimeout`, available in Node and browsers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};
