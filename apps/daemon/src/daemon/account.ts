/**
 * This device's account: who it is (account.json), its passkeys (passkeys.json, the built-in
 * software authenticator) and its message-signing key (device.key), and the WebAuthn
 * ceremonies that create or use them. Everything secret is a 0600 file in the data directory.
 */
import { hostname } from 'node:os';
import {
  type Passkeys,
  linkDevice,
  passkeySignIn,
  registerSigningKey,
  registerUser,
} from '@poolnet/device';
import { type SoftwareCredential, SoftwareAuthenticator } from '@poolnet/sync-server';
import { nodeCrypto } from '@poolnet/platform-node';
import { z } from 'zod';
import { DaemonError } from './errors.js';
import { ServerApi, type Tokens } from './server-api.js';
import { type DataDir, FILES } from './state-files.js';

const accountSchema = z.object({
  serverUrl: z.string().url(),
  userId: z.string().min(1),
  deviceId: z.string().min(1),
  displayName: z.string().nullable(),
  deviceName: z.string(),
  refreshToken: z.string().optional(),
});
export type AccountFile = z.infer<typeof accountSchema>;

const passkeysSchema = z.array(
  z.object({
    id: z.string(),
    rpId: z.string(),
    userHandle: z.string(),
    privateKey: z.string(),
    signCount: z.number().int().min(0),
  }),
);

const deviceKeySchema = z.object({
  secretKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export interface SigningKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export class Account {
  private file: AccountFile | undefined;
  private authenticator = new SoftwareAuthenticator();
  readonly api: ServerApi;
  private keyRegistered = false;

  private constructor(
    private readonly dir: DataDir,
    readonly serverUrl: string,
    readonly signingKey: SigningKey,
    fallbackUrls: readonly string[] = [],
  ) {
    this.api = new ServerApi(
      serverUrl,
      {
        refreshToken: () => this.file?.refreshToken,
        onTokens: (tokens) => this.saveTokens(tokens),
        signIn: () => this.signInWithPasskey(),
      },
      Date.now,
      fallbackUrls,
    );
  }

  /**
   * Loads what the data directory holds (creating the signing key once). `serverUrls`: one
   * URL, or several comma-separated instances of one cluster; the first is the account's.
   */
  static async load(dir: DataDir, serverUrls: string): Promise<Account> {
    const [serverUrl = '', ...fallbackUrls] = serverUrls.split(',').map((u) => u.trim());
    let key = await dir.readJson(FILES.deviceKey, (v) => deviceKeySchema.parse(v));
    if (key === undefined) {
      const pair = nodeCrypto().generateKeyPair();
      key = {
        secretKey: Buffer.from(pair.secretKey).toString('base64url'),
        publicKey: Buffer.from(pair.publicKey).toString('base64url'),
      };
      await dir.writeJson(FILES.deviceKey, key);
    }
    const account = new Account(
      dir,
      serverUrl.replace(/\/+$/, ''),
      {
        secretKey: Uint8Array.from(Buffer.from(key.secretKey, 'base64url')),
        publicKey: Uint8Array.from(Buffer.from(key.publicKey, 'base64url')),
      },
      fallbackUrls.filter((u) => u !== ''),
    );
    const file = await dir.readJson(FILES.account, (v) => accountSchema.parse(v));
    if (file && file.serverUrl.replace(/\/+$/, '') !== account.serverUrl) {
      throw new DaemonError(
        'DATA_DIR',
        `${dir.path} belongs to ${file.serverUrl}, not ${account.serverUrl}: use another --data`,
      );
    }
    account.file = file;
    const passkeys = await dir.readJson(FILES.passkeys, (v) => passkeysSchema.parse(v));
    account.authenticator = new SoftwareAuthenticator(passkeys ?? []);
    return account;
  }

  get current(): AccountFile | undefined {
    return this.file;
  }

  /** The account or NOT_SIGNED_IN. */
  require(): AccountFile {
    if (this.file === undefined) {
      throw new DaemonError('NOT_SIGNED_IN', 'this device has no account: register or link it');
    }
    return this.file;
  }

  /** The origin this device's WebAuthn client speaks for: the server's own. */
  private get origin(): string {
    return new URL(this.serverUrl).origin;
  }

  /** The built-in software authenticator, its credentials saved as they change. */
  private readonly passkeys: Passkeys = {
    create: (options) => this.authenticator.register(options, { origin: this.origin }),
    get: async (options) => {
      const response = this.authenticator.authenticate(options, { origin: this.origin });
      await this.savePasskeys(); // the signature counter moved
      return response;
    },
  };

  /** Creates a user with this device as its first device. */
  async register(displayName: string, deviceName = hostname()): Promise<AccountFile> {
    if (this.file)
      throw new DaemonError('ALREADY_REGISTERED', 'this device already has an account');
    const tokens = await registerUser(this.api, this.passkeys, {
      displayName,
      deviceName,
      deviceType: 'cli',
    });
    return this.established(tokens, displayName, deviceName);
  }

  /** Becomes a new device of the user who made `code` on another device. */
  async link(code: string, deviceName = hostname()): Promise<AccountFile> {
    if (this.file)
      throw new DaemonError('ALREADY_REGISTERED', 'this device already has an account');
    const tokens = await linkDevice(this.api, this.passkeys, {
      code,
      deviceName,
      deviceType: 'cli',
    });
    return this.established(tokens, null, deviceName);
  }

  /** Signs in again with the stored passkey. */
  async login(): Promise<AccountFile> {
    const file = this.require();
    const tokens = await this.signInWithPasskey();
    if (tokens === undefined) throw new DaemonError('NOT_SIGNED_IN', 'no passkey on this device');
    await this.api.adopt(tokens);
    return file;
  }

  /** Ends the server session; the passkey stays, so `login` works again. */
  async logout(): Promise<void> {
    const file = this.require();
    try {
      await this.api.authed('POST', '/v1/auth/sign-out');
    } finally {
      this.api.forget();
      this.file = { ...file, refreshToken: undefined };
      await this.dir.writeJson(FILES.account, this.file);
    }
  }

  /** Registers the signing key with the server (once per run; the server keeps it). */
  async ensureSigningKey(): Promise<void> {
    if (this.keyRegistered) return;
    await registerSigningKey(this.api, this.signingKey.publicKey);
    this.keyRegistered = true;
  }

  /** Remembers the display name once learned (a linked device learns it from the server). */
  async setDisplayName(name: string): Promise<void> {
    if (!this.file || this.file.displayName === name) return;
    this.file = { ...this.file, displayName: name };
    await this.dir.writeJson(FILES.account, this.file);
  }

  /** Remembers this device's new name (renamed on the server first). */
  async setDeviceName(name: string): Promise<void> {
    if (!this.file || this.file.deviceName === name) return;
    this.file = { ...this.file, deviceName: name };
    await this.dir.writeJson(FILES.account, this.file);
  }

  private async established(
    tokens: Tokens,
    displayName: string | null,
    deviceName: string,
  ): Promise<AccountFile> {
    await this.savePasskeys();
    this.file = {
      serverUrl: this.serverUrl,
      userId: tokens.userId,
      deviceId: tokens.deviceId,
      displayName,
      deviceName,
      refreshToken: tokens.refreshToken,
    };
    await this.dir.writeJson(FILES.account, this.file);
    await this.api.adopt(tokens);
    this.keyRegistered = false;
    await this.ensureSigningKey();
    return this.file;
  }

  private async signInWithPasskey(): Promise<Tokens | undefined> {
    if (this.file === undefined || this.authenticator.exportCredentials().length === 0) {
      return undefined;
    }
    return passkeySignIn(this.api, this.passkeys);
  }

  private async saveTokens(tokens: Tokens): Promise<void> {
    if (!this.file) return;
    this.file = { ...this.file, refreshToken: tokens.refreshToken };
    await this.dir.writeJson(FILES.account, this.file);
  }

  private savePasskeys(): Promise<void> {
    const credentials: SoftwareCredential[] = this.authenticator.exportCredentials();
    return this.dir.writeJson(FILES.passkeys, credentials);
  }
}
