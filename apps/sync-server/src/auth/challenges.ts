import type { UserId } from '@poolnet/protocol';
import type { DeviceType, SecretHash, ServerStore } from '../store/store.js';
import type { AuthClock, RandomBytes } from './config.js';
import { AuthError, authErrorFromStore } from './errors.js';

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

const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const KINDS: ReadonlySet<string> = new Set<CeremonyKind>([
  'registration',
  'authentication',
  'add-device',
]);

/**
 * Pending WebAuthn challenges ([AUTH1]), kept in the store ([DB24]) so that a ceremony begun
 * on one instance of a cluster finishes on any other, and a restart loses none. Each is
 * answered at most once: `take` removes it whatever the outcome (the store's delete decides
 * between racing finishes), so a failed finish cannot be retried with the same challenge and
 * an old response cannot be replayed. Expired rows are swept whenever one is issued.
 */
export class PendingChallenges {
  constructor(
    private readonly store: Pick<ServerStore, 'putChallenge' | 'takeChallenge'>,
    private readonly clock: AuthClock,
    private readonly random: RandomBytes,
    private readonly ttlMs: number,
  ) {}

  /** Starts a ceremony: a fresh challenge id and the 32-byte challenge to put in the options. */
  async issue(ceremony: Ceremony): Promise<{ readonly id: string; readonly challenge: string }> {
    const now = this.clock.now();
    const id = toBase64Url(this.random(16));
    const challenge = toBase64Url(this.random(32));
    try {
      await this.store.putChallenge({
        id,
        ceremony: JSON.stringify(ceremony),
        challenge,
        expiresAt: now + this.ttlMs,
        now,
      });
    } catch (err) {
      throw authErrorFromStore(err, 'keep challenge', {});
    }
    return { id, challenge };
  }

  /**
   * Ends a ceremony: the pending challenge `id` of kind `kind`, removed. `CHALLENGE_MISMATCH`
   * if unknown, already taken or of another kind; `EXPIRED` if too late.
   */
  async take<K extends CeremonyKind>(id: string, kind: K): Promise<PendingChallenge<K>> {
    let record;
    try {
      record = await this.store.takeChallenge(id);
    } catch (err) {
      throw authErrorFromStore(err, 'take challenge', {});
    }
    if (record === undefined) {
      throw new AuthError('CHALLENGE_MISMATCH', 'no such pending challenge');
    }
    let ceremony: Ceremony;
    try {
      ceremony = JSON.parse(record.ceremony) as Ceremony;
      if (!KINDS.has(ceremony.kind)) throw new Error(`unknown kind ${String(ceremony.kind)}`);
    } catch (cause) {
      throw new AuthError('INTERNAL', 'a stored challenge does not parse', { cause });
    }
    if (ceremony.kind !== kind) {
      throw new AuthError('CHALLENGE_MISMATCH', `the challenge is not for ${kind}`);
    }
    if (this.clock.now() >= record.expiresAt) {
      throw new AuthError('EXPIRED', 'the challenge expired');
    }
    return { ...(ceremony as Extract<Ceremony, { kind: K }>), challenge: record.challenge };
  }
}
