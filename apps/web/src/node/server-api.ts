/**
 * The page's client of the sync server's JSON API (a port of the daemon's `ServerApi` to the
 * page's `fetch`). It owns the session: the access token in memory, refreshed 30 s before it
 * expires; the rotating refresh token kept by `hooks` (IndexedDB); and, when both fail, a new
 * sign-in with this browser's passkey. Every refusal becomes a `BackendError` carrying the
 * server's code.
 */
import { BackendError } from '../api/backend.js';

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
  refreshToken(): string | undefined;
  onTokens(tokens: Tokens): Promise<void>;
  /** Sign in again with the passkey; undefined when this page has no account. */
  signIn(): Promise<Tokens | undefined>;
}

// Server JSON is checked where it is used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

const EARLY_MS = 30_000;
const TIMEOUT_MS = 15_000;

export class ServerApi {
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly hooks: SessionHooks,
  ) {}

  get signalUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/v1/signal`;
  }

  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    return this.send(method, path, body, undefined);
  }

  async authed(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    const token = await this.accessToken();
    try {
      return await this.send(method, path, body, token);
    } catch (err) {
      if (!(err instanceof BackendError) || err.status !== 401) throw err;
      this.access = undefined;
      return this.send(method, path, body, await this.accessToken());
    }
  }

  async adopt(tokens: Tokens): Promise<void> {
    this.access = { token: tokens.accessToken, expiresAt: tokens.accessExpiresAt };
    await this.hooks.onTokens(tokens);
    // Refreshed ahead of expiry, so a signalling reconnect never waits for it.
    clearTimeout(this.refreshTimer);
    const wait = Math.max(5_000, tokens.accessExpiresAt - EARLY_MS - Date.now());
    this.refreshTimer = setTimeout(
      () => {
        this.access = undefined;
        this.accessToken().catch(() => undefined);
      },
      Math.min(wait, 2 ** 31 - 1),
    );
  }

  forget(): void {
    this.access = undefined;
    clearTimeout(this.refreshTimer);
  }

  accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EARLY_MS > Date.now()) {
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
        if (!(err instanceof BackendError) || err.status === 0) throw err;
      }
    }
    const tokens = await this.hooks.signIn();
    if (tokens === undefined) {
      throw new BackendError(
        'NOT_SIGNED_IN',
        'this browser has no account: register or link it',
        409,
      );
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
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new BackendError(
        'SERVER_UNREACHABLE',
        `cannot reach ${this.baseUrl}: ${String(cause)}`,
      );
    }
    let json: Json;
    try {
      json = await res.json();
    } catch {
      throw new BackendError(
        'SERVER_UNREACHABLE',
        `${this.baseUrl} answered ${res.status}, not JSON`,
      );
    }
    if (res.ok) return json;
    const error = (json as { error?: { code?: unknown; message?: unknown; reason?: unknown } })
      .error;
    const code =
      typeof error?.reason === 'string' ? error.reason : String(error?.code ?? res.status);
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`;
    throw new BackendError(code, `the server refused: ${message}`, res.status);
  }
}
