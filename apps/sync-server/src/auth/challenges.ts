import type { UserId } from '@poolnet/protocol';
import type { DeviceType, SecretHash } from '../store/store.js';
import type { AuthClock, RandomBytes } from './config.js';
import { AuthError } from './errors.js';

/** What the server remembers between the start and the finish of one WebAuthn ceremony. */
export type Ceremony =
  | {
      readonly kind: 'registration';
      readonly userId: UserId;
      readonly displayName: string;
      readonly deviceName: string;
      readonly deviceType: DeviceType;
    }
  | { readonly kind: 'authentication' }
  | {
      readonly kind: 'add-device';
      readonly userId: UserId;
      readonly codeHash: SecretHash;
      readonly deviceName: string;
      readonly deviceType: DeviceType;
    };

export type CeremonyKind = Ceremony['kind'];

/** A taken challenge: the ceremony and the base64url challenge the authenticator must sign. */
export type PendingChallenge<K extends CeremonyKind> = Extract<Ceremony, { kind: K }> & {
  readonly challenge: string;
};

interface Entry {
  readonly ceremony: Ceremony;
  readonly challenge: string;
  readonly expiresAt: number;
}

const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/**
 * Pending WebAuthn challenges, in memory ([AUTH1]). Each is answered at most once: `take`
 * removes it whatever the outcome, so a failed finish cannot be retried with the same
 * challenge, and an old response cannot be replayed. Expired entries are swept on `issue`
 * and the map never holds more than `maxPending`, so a flood of starts costs bounded memory.
 *
 * In memory on purpose: a challenge lives two minutes, and losing them on restart only makes
 * the user tap again. A cluster needs the finish routed to the instance that issued it.
 */
export class PendingChallenges {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: AuthClock,
    private readonly random: RandomBytes,
    private readonly ttlMs: number,
    private readonly maxPending = 100_000,
  ) {}

  /** Starts a ceremony: a fresh challenge id and the 32-byte challenge to put in the options. */
  issue(ceremony: Ceremony): { readonly id: string; readonly challenge: string } {
    const now = this.clock.now();
    this.sweep(now);
    const id = toBase64Url(this.random(16));
    const challenge = toBase64Url(this.random(32));
    this.entries.set(id, { ceremony, challenge, expiresAt: now + this.ttlMs });
    return { id, challenge };
  }

  /**
   * Ends a ceremony: the pending challenge `id` of kind `kind`, removed. `CHALLENGE_MISMATCH`
   * if unknown, already taken or of another kind; `EXPIRED` if too late.
   */
  take<K extends CeremonyKind>(id: string, kind: K): PendingChallenge<K> {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      throw new AuthError('CHALLENGE_MISMATCH', 'no such pending challenge');
    }
    this.entries.delete(id);
    if (entry.ceremony.kind !== kind) {
      throw new AuthError('CHALLENGE_MISMATCH', `the challenge is not for ${kind}`);
    }
    if (this.clock.now() >= entry.expiresAt) {
      throw new AuthError('EXPIRED', 'the challenge expired');
    }
    return { ...(entry.ceremony as Extract<Ceremony, { kind: K }>), challenge: entry.challenge };
  }

  /** Challenges waiting for an answer (expired ones not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    // Every entry gets the same TTL, so insertion order is expiry order: stop at the first
    // live entry, unless the map is full, then the oldest go first.
    for (const [id, entry] of this.entries) {
      if (now < entry.expiresAt && this.entries.size < this.maxPending) break;
      this.entries.delete(id);
    }
  }
}
