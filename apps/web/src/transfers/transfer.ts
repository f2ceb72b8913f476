/**
 * One file moving in or out, as the transfer panel shows it, folded from the backend's
 * `download` and `upload` events. Speed is smoothed over the updates (they come a few times a
 * second); the ETA is what is left at that speed.
 */
import type { DaemonEvent } from '../api/backend.js';

export interface Transfer {
  readonly key: string;
  readonly pool: string;
  readonly file: string;
  readonly name: string;
  readonly direction: 'download' | 'upload';
  readonly size: number;
  readonly bytes: number;
  /** Downloads: the daemon's state. Uploads: 'data' while served. */
  readonly state: 'hashes' | 'data' | 'done' | 'failed' | 'cancelled';
  /** Bytes per second, smoothed; 0 until two updates were seen. */
  readonly speed: number;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly path?: string;
  readonly error?: string;
}

/** An upload is shown as moving while its counters changed in the last few seconds. */
export const UPLOAD_IDLE_MS = 3000;

export const transferKey = (direction: string, pool: string, file: string): string =>
  `${direction}:${pool}:${file}`;

export function isMoving(t: Transfer, now: number): boolean {
  if (t.direction === 'upload') return now - t.updatedAt < UPLOAD_IDLE_MS;
  return t.state === 'hashes' || t.state === 'data';
}

/** Seconds left at the current speed, or null when unknown. */
export function etaSeconds(t: Transfer): number | null {
  if (t.direction === 'upload' || t.speed <= 0 || t.size <= 0) return null;
  return Math.max(0, (t.size - t.bytes) / t.speed);
}

/** The transfer after `event` (undefined when the event is not about a transfer). */
export function foldTransfer(
  previous: Transfer | undefined,
  event: DaemonEvent,
  now: number,
): Transfer | undefined {
  if (event.type !== 'download' && event.type !== 'upload') return undefined;
  const direction = event.type;
  const key = transferKey(direction, event.pool, event.file);
  // A new download after an ended one starts afresh (a retry).
  const ended = previous && previous.direction === 'download' && !isMoving(previous, now);
  const base = previous && !ended ? previous : undefined;
  const bytes = event.bytes;
  let speed = base?.speed ?? 0;
  if (base && now > base.updatedAt && bytes >= base.bytes) {
    const sample = ((bytes - base.bytes) * 1000) / (now - base.updatedAt);
    speed = base.speed === 0 ? sample : 0.7 * base.speed + 0.3 * sample;
  }
  return {
    key,
    pool: event.pool,
    file: event.file,
    name: event.name,
    direction,
    size: event.size,
    bytes,
    state: event.type === 'download' ? event.state : 'data',
    speed,
    startedAt: base?.startedAt ?? now,
    updatedAt: now,
    ...(event.type === 'download' && event.path !== undefined ? { path: event.path } : {}),
    ...(event.type === 'download' && event.error !== undefined ? { error: event.error } : {}),
  };
}
