import {
  cryptoRandom,
  systemClock,
  type Clock,
  type Random,
  type Transport,
} from '@poolnet/engine';
import { SelectError } from './errors.js';
import { TRANSPORT_IDS } from './transport-ids.js';

const MiB = 1024 * 1024;

/** Options of a selecting transport. */
export interface SelectingTransportOptions {
  /**
   * Wire ids of transport kinds missing from `TRANSPORT_IDS` (1–255 but not 123, which is
   * `{`, the first byte of an untagged JSON blob; both ends must agree).
   * Default none.
   */
  transportIds?: Readonly<Record<string, number>>;
  /**
   * After the first link comes up, how long the initiator waits for a more preferred one
   * before keeping the first. Default 300 ms.
   */
  preferWindowMs?: number;
  /**
   * An attempt (the first open, or a re-open after a drop) fails when no transport is kept
   * within this. Default 20 s: above the TCP (10 s) and WebRTC (15 s) connect timeouts, so
   * they report their own failures first.
   */
  openTimeoutMs?: number;
  /** After a carrier dropped, the far end must answer the re-open within this. Default 3 s. */
  peerAnswerMs?: number;
  /**
   * Bytes a link holds while it re-opens (frames sent meanwhile wait, then go out on the new
   * carrier); frames beyond are dropped and counted. Default 16 MiB.
   */
  maxHeldBytes?: number;
  /** Timers. Default the system clock. */
  clock?: Clock;
  /** Session nonces. Default the platform's cryptographic generator. */
  random?: Random;
}

/** One transport the selector may use, with its wire id. */
export interface Candidate {
  readonly id: number;
  readonly transport: Transport;
}

/** Options checked and filled with defaults. */
export interface SelectSettings {
  readonly candidates: readonly Candidate[];
  readonly preferWindowMs: number;
  readonly openTimeoutMs: number;
  readonly peerAnswerMs: number;
  readonly maxHeldBytes: number;
  readonly clock: Clock;
  readonly random: Random;
}

/** Check options once, at the edge; throws `SelectError('INVALID_OPTIONS')`. */
export function resolveOptions(
  transports: readonly Transport[],
  options: SelectingTransportOptions,
): SelectSettings {
  const ids = { ...TRANSPORT_IDS, ...options.transportIds };
  if (transports.length === 0) throw invalid('give at least one transport');
  const seen = new Set<number>();
  const candidates = transports.map((transport) => {
    const id = ids[transport.kind];
    if (id === undefined) throw invalid(`no wire id for transport kind '${transport.kind}'`);
    if (!Number.isInteger(id) || id < 1 || id > 255 || id === 0x7b) {
      throw invalid('a wire id is 1 to 255, but not 123');
    }
    if (seen.has(id)) throw invalid(`transport kind '${transport.kind}' given twice`);
    seen.add(id);
    return { id, transport };
  });
  const settings: SelectSettings = {
    candidates,
    preferWindowMs: options.preferWindowMs ?? 300,
    openTimeoutMs: options.openTimeoutMs ?? 20_000,
    peerAnswerMs: options.peerAnswerMs ?? 3_000,
    maxHeldBytes: options.maxHeldBytes ?? 16 * MiB,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
  };
  const { preferWindowMs, openTimeoutMs, peerAnswerMs, maxHeldBytes } = settings;
  if (!Number.isSafeInteger(preferWindowMs) || preferWindowMs < 0) {
    throw invalid('preferWindowMs is an integer of 0 or more');
  }
  positive('openTimeoutMs', openTimeoutMs);
  positive('peerAnswerMs', peerAnswerMs);
  positive('maxHeldBytes', maxHeldBytes);
  return settings;
}

function positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw invalid(`${name} is a positive integer`);
}

function invalid(message: string): SelectError {
  return new SelectError('INVALID_OPTIONS', message);
}
