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

/**
 * One-time codes with which a signed-in device lets a new device join the account
 * ([AUTH12], [AUTH13]). The store keeps the hash, looks it up (so starting the new device's
 * ceremony can check the code and learn its user without using it up) and consumes it
 * atomically; nothing lives in this instance's memory, so any instance of a cluster accepts
 * a code another one issued ([DB24]).
 */
export class AddDeviceCodes {
  constructor(
    private readonly store: ServerStore,
    private readonly clock: AuthClock,
    private readonly random: RandomBytes,
    private readonly ttlMs: number,
    private readonly serverUrl: string,
  ) {}

  async create(userId: UserId): Promise<AddDeviceCode> {
    const now = this.clock.now();
    const raw = [...this.random(CODE_SYMBOLS)].map((b) => ALPHABET[b % 32] ?? '').join('');
    const codeHash = hashSecret(raw);
    const expiresAt = now + this.ttlMs;
    try {
      await this.store.createAddDeviceCode({ codeHash, userId, expiresAt, now });
    } catch (err) {
      throw authErrorFromStore(err, 'create add-device code', { CONFLICT: 'CONFLICT' });
    }
    const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
    const qrPayload = `poolnet:add-device?code=${code}&server=${encodeURIComponent(this.serverUrl)}`;
    return { code, qrPayload, expiresAt };
  }

  /**
   * Checks a typed code without using it: its hash and user. `INVALID_CODE` if it is not a
   * code this server issued, `CODE_USED` if used already, `EXPIRED` if too late.
   */
  async check(input: string): Promise<{ readonly codeHash: SecretHash; readonly userId: UserId }> {
    const code = normalizeAddDeviceCode(input);
    if (code === undefined) throw new AuthError('INVALID_CODE', 'not an add-device code');
    const codeHash = hashSecret(code);
    let entry;
    try {
      entry = await this.store.findAddDeviceCode(codeHash);
    } catch (err) {
      throw authErrorFromStore(err, 'find add-device code', {});
    }
    if (entry === undefined) throw new AuthError('INVALID_CODE', 'unknown add-device code');
    if (entry.usedAt !== null) {
      throw new AuthError('CODE_USED', 'the add-device code was used already');
    }
    if (this.clock.now() >= entry.expiresAt) {
      throw new AuthError('EXPIRED', 'the add-device code expired');
    }
    return { codeHash, userId: entry.userId };
  }
}
