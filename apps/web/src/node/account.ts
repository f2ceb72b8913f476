/**
 * This browser's account on the sync server: passkeys made by the browser's own authenticator
 * (WebAuthn through @simplewebauthn/browser), the tokens and the message-signing key kept in
 * IndexedDB. The signing key is an Ed25519 pair made with the engine's portable crypto (the
 * engine signs synchronously, which WebCrypto cannot) and registered with the server once per
 * page load, as the daemon does.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import {
  type Passkeys,
  linkDevice,
  passkeySignIn,
  registerSigningKey,
  registerUser,
} from '@poolnet/device';
import { nobleCrypto } from '@poolnet/engine';
import type { RecordStore } from '@poolnet/store-browser';
import { BackendError } from '../api/backend.js';
import { ServerApi, type Tokens } from './server-api.js';

export interface AccountRecord {
  readonly userId: string;
  readonly deviceId: string;
  readonly displayName: string | null;
  readonly deviceName: string;
  readonly refreshToken?: string;
}

export interface SigningKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

const ACCOUNT = 'account';
const SIGNING_KEY = 'signing-key';

/** The browser's own authenticator, through WebAuthn. */
const browserPasskeys: Passkeys = {
  create: (options) => ceremony(() => startRegistration({ optionsJSON: options })),
  get: (options) => ceremony(() => startAuthentication({ optionsJSON: options })),
};

export class BrowserAccount {
  private record: AccountRecord | undefined;
  readonly api: ServerApi;
  private keyRegistered = false;

  private constructor(
    private readonly records: RecordStore,
    readonly serverUrl: string,
    readonly signingKey: SigningKey,
  ) {
    this.api = new ServerApi(serverUrl, {
      refreshToken: () => this.record?.refreshToken,
      onTokens: (tokens) => this.saveTokens(tokens),
      signIn: () => this.signInWithPasskey(),
    });
  }

  static async load(records: RecordStore, serverUrl: string): Promise<BrowserAccount> {
    let key = await records.get<SigningKey>(SIGNING_KEY);
    if (!key || key.secretKey?.length !== 32 || key.publicKey?.length !== 32) {
      key = nobleCrypto.generateKeyPair();
      await records.put(SIGNING_KEY, key);
    }
    const account = new BrowserAccount(records, serverUrl.replace(/\/+$/, ''), key);
    account.record = await records.get<AccountRecord>(ACCOUNT);
    return account;
  }

  get current(): AccountRecord | undefined {
    return this.record;
  }

  /**
   * Whether this page has a session. After a sign-out the record stays (a sign-in with the
   * same passkey finds the device again), but the page is signed out: it may sign in, or
   * register or link anew, which replaces the record.
   */
  get signedIn(): boolean {
    return this.record?.refreshToken !== undefined;
  }

  require(): AccountRecord {
    if (!this.record) {
      throw new BackendError(
        'NOT_SIGNED_IN',
        'this browser has no account: register or link it',
        409,
      );
    }
    return this.record;
  }

  async register(displayName: string, deviceName: string): Promise<AccountRecord> {
    if (this.signedIn)
      throw new BackendError('ALREADY_REGISTERED', 'this browser already has an account', 409);
    const tokens = await registerUser(this.api, browserPasskeys, {
      displayName,
      deviceName,
      deviceType: 'browser',
    });
    return this.established(tokens, displayName, deviceName);
  }

  async link(code: string, deviceName: string): Promise<AccountRecord> {
    if (this.signedIn)
      throw new BackendError('ALREADY_REGISTERED', 'this browser already has an account', 409);
    const tokens = await linkDevice(this.api, browserPasskeys, {
      code,
      deviceName,
      deviceType: 'browser',
    });
    return this.established(tokens, null, deviceName);
  }

  /**
   * Signs in with a passkey of this browser. With no account stored yet, whichever passkey
   * the person picks decides the account (a discoverable credential): the page learns it.
   */
  async signIn(): Promise<AccountRecord> {
    const tokens = await this.passkeyTokens();
    if (
      !this.record ||
      this.record.userId !== tokens.userId ||
      this.record.deviceId !== tokens.deviceId
    ) {
      this.record = {
        userId: tokens.userId,
        deviceId: tokens.deviceId,
        displayName: null,
        deviceName: this.record?.deviceId === tokens.deviceId ? this.record.deviceName : 'browser',
      };
      this.keyRegistered = false;
    }
    await this.api.adopt(tokens);
    await this.ensureSigningKey();
    if (this.record?.deviceName === 'browser') {
      // A passkey this page had not seen: learn the device's name from the server.
      try {
        const { devices } = await this.api.authed('GET', '/v1/devices');
        const me = (devices as Array<{ id: string; name: string }>).find(
          (d) => d.id === tokens.deviceId,
        );
        if (me) await this.update({ deviceName: me.name });
      } catch {
        // the placeholder stays until the next sign-in
      }
    }
    return this.require();
  }

  async signOut(): Promise<void> {
    const record = this.require();
    try {
      await this.api.authed('POST', '/v1/auth/sign-out');
    } finally {
      this.api.forget();
      this.record = { ...record, refreshToken: undefined };
      await this.records.put(ACCOUNT, this.record);
    }
  }

  async ensureSigningKey(): Promise<void> {
    if (this.keyRegistered) return;
    await registerSigningKey(this.api, this.signingKey.publicKey);
    this.keyRegistered = true;
  }

  async update(fields: Partial<Pick<AccountRecord, 'displayName' | 'deviceName'>>): Promise<void> {
    if (!this.record) return;
    this.record = { ...this.record, ...fields };
    await this.records.put(ACCOUNT, this.record);
  }

  private async established(
    tokens: Tokens,
    displayName: string | null,
    deviceName: string,
  ): Promise<AccountRecord> {
    this.record = {
      userId: tokens.userId,
      deviceId: tokens.deviceId,
      displayName,
      deviceName,
      refreshToken: tokens.refreshToken,
    };
    await this.records.put(ACCOUNT, this.record);
    await this.api.adopt(tokens);
    this.keyRegistered = false;
    await this.ensureSigningKey();
    return this.record;
  }

  private passkeyTokens(): Promise<Tokens> {
    return passkeySignIn(this.api, browserPasskeys);
  }

  private async signInWithPasskey(): Promise<Tokens | undefined> {
    if (!this.record) return undefined;
    const tokens = await this.passkeyTokens();
    if (tokens.userId !== this.record.userId) {
      throw new BackendError('WRONG_ACCOUNT', 'that passkey belongs to another account', 409);
    }
    return tokens;
  }

  private async saveTokens(tokens: Tokens): Promise<void> {
    if (!this.record) return;
    this.record = { ...this.record, refreshToken: tokens.refreshToken };
    await this.records.put(ACCOUNT, this.record);
  }
}

/** A WebAuthn ceremony; the person cancelling it (or no authenticator) is a readable error. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const message = err instanceof Error ? err.message : String(err);
    throw new BackendError(
      name === 'NotAllowedError' ? 'PASSKEY_CANCELLED' : 'PASSKEY_FAILED',
      name === 'NotAllowedError'
        ? 'the passkey request was cancelled or timed out'
        : `passkey: ${message}`,
    );
  }
}
