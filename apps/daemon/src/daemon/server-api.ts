/**
 * The daemon's client of the sync server's JSON API. It owns the session: an access token in
 * memory, the rotating refresh token on disk (through `onTokens`), and, when both fail, a
 * fresh sign-in with the device's own passkey. Every refusal becomes a `DaemonError` carrying
 * the server's code.
 */
import { DaemonError } from './errors.js';

/** What the server answers to register, link, sign-in and refresh. */
export interface Tokens {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
}

export interface SessionHooks {
  /** The refresh token to start from (from account.json), if any. */
  refreshToken(): string | undefined;
  /** New tokens arrived: persist the refresh token. */
  onTokens(tokens: Tokens): Promise<void>;
  /** Sign in again with the passkey; undefined when this device has none. */
  signIn(): Promise<Tokens | undefined>;
}

// Server JSON is checked where it is used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Refresh this long before the access token expires. */
const EARLY_MS = 30_000;

export class ServerApi {
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly hooks: SessionHooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** The signalling WebSocket URL. */
  get signalUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/v1/signal`;
  }

  /** An anonymous call (the begin/finish ceremonies, invites preview). */
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    return this.send(method, path, body, undefined);
  }

  /** A call as this device; refreshes or signs in again when the token is stale or refused. */
  async authed(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const token = await this.accessToken();
    try {
      return await this.send(method, path, body, token);
    } catch (err) {
      if (!(err instanceof DaemonError) || err.serverStatus !== 401) throw err;
      this.access = undefined;
      return this.send(method, path, body, await this.accessToken());
    }
  }

  /** Take tokens from a ceremony (register, link, sign-in). */
  async adopt(tokens: Tokens): Promise<void> {
    this.access = { token: tokens.accessToken, expiresAt: tokens.accessExpiresAt };
    await this.hooks.onTokens(tokens);
  }

  /** Forget the session (sign-out). */
  forget(): void {
    this.access = undefined;
  }

  /** A valid access token: the current one, a refreshed one, or one from a new sign-in. */
  accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EARLY_MS > this.now()) {
      return Promise.resolve(this.access.token);
    }
    // One refresh at a time: refresh tokens rotate, a second use would be refused.
    this.refreshing ??= this.renew().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async renew(): Promise<string> {
    const refreshToken = this.hooks.refreshToken();
    if (refreshToken !== undefined) {
      try {
        const tokens = (await this.call('POST', '/v1/auth/refresh', { refreshToken })) as Tokens;
        await this.adopt(tokens);
        return tokens.accessToken;
      } catch (err) {
        if (!(err instanceof DaemonError) || err.code !== 'SERVER_REFUSED') throw err;
      }
    }
    const tokens = await this.hooks.signIn();
    if (tokens === undefined) {
      throw new DaemonError('NOT_SIGNED_IN', 'this device has no account: register or link it');
    }
    await this.adopt(tokens);
    return tokens.accessToken;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    token: string | undefined,
  ): Promise<Json> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (method === 'POST') headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new DaemonError('SERVER_UNREACHABLE', `cannot reach ${this.baseUrl}`, { cause });
    }
    let json: Json;
    try {
      json = await res.json();
    } catch (cause) {
      throw new DaemonError(
        'SERVER_UNREACHABLE',
        `${this.baseUrl} answered ${res.status}, not JSON`,
        {
          cause,
        },
      );
    }
    if (res.ok) return json;
    const error = (json as { error?: { code?: unknown; message?: unknown; reason?: unknown } })
      .error;
    const code =
      typeof error?.reason === 'string' ? error.reason : String(error?.code ?? res.status);
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`;
    throw new DaemonError('SERVER_REFUSED', `the server refused: ${message}`, {
      serverCode: code,
      serverStatus: res.status,
    });
  }
}
