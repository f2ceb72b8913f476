/**
 * The daemon's client of the sync server's JSON API. It owns the session: an access token in
 * memory, the rotating refresh token on disk (through `onTokens`), and, when both fail, a
 * fresh sign-in with the device's own passkey. Every refusal becomes a `DaemonError` carrying
 * the server's code.
 *
 * A clustered server has several instances sharing one state: the API knows their URLs (the
 * ones given with `--server`, and those `GET /v1/cluster` advertises) and fails over to the
 * next when the one in use does not answer. `baseUrl`, the first, stays the device's identity
 * (its account file and its WebAuthn origin).
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

/** Ask a cluster for its instances at most this often. */
const DISCOVER_EVERY_MS = 30_000;

export class ServerApi {
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  /** Every instance URL known, `baseUrl` first; `active` indexes the one in use. */
  private readonly urls: string[];
  private active = 0;
  private discovered = 0;

  constructor(
    readonly baseUrl: string,
    private readonly hooks: SessionHooks,
    private readonly now: () => number = Date.now,
    fallbacks: readonly string[] = [],
  ) {
    this.urls = [...new Set([baseUrl, ...fallbacks].map(normalize))];
  }

  /** The instance in use now. */
  get activeUrl(): string {
    return this.urls[this.active] ?? this.baseUrl;
  }

  /** Every instance URL known (the first is `baseUrl`). */
  get knownUrls(): readonly string[] {
    return [...this.urls];
  }

  /** The signalling WebSocket URL (of the instance in use). */
  get signalUrl(): string {
    return `${this.activeUrl.replace(/^http/, 'ws')}/v1/signal`;
  }

  /** The instance in use did not answer: use the next one. Returns whether there is another. */
  failover(): boolean {
    if (this.urls.length < 2) return false;
    this.active = (this.active + 1) % this.urls.length;
    return true;
  }

  /**
   * Learns the cluster's instances from `GET /v1/cluster` (at most every 30 s; a server that
   * is not clustered answers 404 and nothing changes). Never throws.
   */
  async discover(): Promise<void> {
    if (this.now() - this.discovered < DISCOVER_EVERY_MS) return;
    this.discovered = this.now();
    try {
      const answer = (await this.sendTo(
        this.activeUrl,
        'GET',
        '/v1/cluster',
        undefined,
        undefined,
      )) as {
        instances?: { url?: unknown }[];
      };
      for (const instance of answer.instances ?? []) {
        if (typeof instance.url !== 'string' || !/^https?:\/\//.test(instance.url)) continue;
        const url = normalize(instance.url);
        if (!this.urls.includes(url)) this.urls.push(url);
      }
    } catch {
      // Not a cluster, or not reachable now: the URLs known stay.
    }
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

  /** Sends to the instance in use; when it does not answer, tries each other once. */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    token: string | undefined,
  ): Promise<Json> {
    for (let tried = 1; ; tried++) {
      try {
        return await this.sendTo(this.activeUrl, method, path, body, token);
      } catch (err) {
        const unreachable = err instanceof DaemonError && err.code === 'SERVER_UNREACHABLE';
        if (!unreachable || tried >= this.urls.length || !this.failover()) throw err;
      }
    }
  }

  private async sendTo(
    baseUrl: string,
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
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new DaemonError('SERVER_UNREACHABLE', `cannot reach ${baseUrl}`, { cause });
    }
    let json: Json;
    try {
      json = await res.json();
    } catch (cause) {
      throw new DaemonError('SERVER_UNREACHABLE', `${baseUrl} answered ${res.status}, not JSON`, {
        cause,
      });
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

const normalize = (url: string): string => url.trim().replace(/\/+$/, '');
