import type { UserId } from '@poolnet/protocol';
import { hashSecret } from '../store/secret-hash.js';
import type { SecretHash, ServerStore } from '../store/store.js';
import type { AuthClock, RandomBytes } from './config.js';
import { AuthError, authErrorFromStore } from './errors.js';

/**
 * Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is typed right.
 * 32 symbols divide 256, so one random byte per symbol gives every symbol the same chance.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_SYMBOLS = 8;

/** A freshly issued add-device code, for the signed-in device to show. */
export interface AddDeviceCode {
  /** `XXXX-XXXX`, 40 random bits. */
  readonly code: string;
  /** What the QR shows: `poolnet:add-device?code=XXXX-XXXX&server=<url>`. */
  readonly qrPayload: string;
  readonly expiresAt: number;
}

/**
 * The canonical form of a typed code: upper case, separators and spaces dropped, and the
 * look-alikes Crockford allows mapped (O→0, I/L→1). `undefined` if it cannot be a code.
 */
export function normalizeAddDeviceCode(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== CODE_SYMBOLS) return undefined;
  for (const ch of s) if (!ALPHABET.includes(ch)) return undefined;
  return s;
}

interface Issued {
  readonly userId: UserId;
  readonly expiresAt: number;
  used: boolean;
}

/**
 * One-time codes with which a signed-in device lets a new device join the account
 * ([AUTH12], [AUTH13]). The store keeps the hash and consumes it atomically; this class also
 * remembers the codes it issued (hash → user, expiry) so that starting the new device's
 * ceremony can check the code and learn its user without using it up. The store has no
 * look-up by code hash, so a code is only usable on the instance that issued it (the same
 * holds for the WebAuthn challenge that follows).
 */
export class AddDeviceCodes {
  private readonly issued = new Map<SecretHash, Issued>();

  constructor(
    private readonly store: ServerStore,
    private readonly clock: AuthClock,
    private readonly random: RandomBytes,
    private readonly ttlMs: number,
    private readonly serverUrl: string,
  ) {}

  async create(userId: UserId): Promise<AddDeviceCode> {
    const now = this.clock.now();
    this.sweep(now);
    const raw = [...this.random(CODE_SYMBOLS)].map((b) => ALPHABET[b % 32] ?? '').join('');
    const codeHash = hashSecret(raw);
    const expiresAt = now + this.ttlMs;
    try {
      await this.store.createAddDeviceCode({ codeHash, userId, expiresAt, now });
    } catch (err) {
      throw authErrorFromStore(err, 'create add-device code', { CONFLICT: 'CONFLICT' });
    }
    this.issued.set(codeHash, { userId, expiresAt, used: false });
    const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
    const qrPayload = `poolnet:add-device?code=${code}&server=${encodeURIComponent(this.serverUrl)}`;
    return { code, qrPayload, expiresAt };
  }

  /**
   * Checks a typed code without using it: its hash and user. `INVALID_CODE` if it is not a
   * code this server issued, `CODE_USED` if used already, `EXPIRED` if too late.
   */
  check(input: string): { readonly codeHash: SecretHash; readonly userId: UserId } {
    const code = normalizeAddDeviceCode(input);
    if (code === undefined) throw new AuthError('INVALID_CODE', 'not an add-device code');
    const codeHash = hashSecret(code);
    const entry = this.issued.get(codeHash);
    if (entry === undefined) throw new AuthError('INVALID_CODE', 'unknown add-device code');
    if (entry.used) throw new AuthError('CODE_USED', 'the add-device code was used already');
    if (this.clock.now() >= entry.expiresAt) {
      throw new AuthError('EXPIRED', 'the add-device code expired');
    }
    return { codeHash, userId: entry.userId };
  }

  /** Records that the store consumed the code (or refused it as used). */
  markUsed(codeHash: SecretHash): void {
    const entry = this.issued.get(codeHash);
    if (entry !== undefined) entry.used = true;
  }

  private sweep(now: number): void {
    // Same TTL for all, so insertion order is expiry order.
    for (const [hash, entry] of this.issued) {
      if (now < entry.expiresAt) break;
      this.issued.delete(hash);
    }
  }
}
