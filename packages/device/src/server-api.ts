/**
 * A device's client of the sync server's JSON API, shared by the daemon and the browser node
 * (only `fetch`, `AbortSignal.timeout` and timers, which both have). It owns the session: an
 * access token in memory, the rotating refresh token kept by `hooks` (a file, IndexedDB) and,
 * when both fail, a fresh sign-in with the device's passkey.
 *
 * A clustered server has several instances sharing one state: the API knows their URLs (the
 * ones it was given, and those `GET /v1/cluster` advertises) and fails over to the next when
 * the one in use does not answer. `baseUrl`, the first, stays the device's identity (its
 * account and its WebAuthn origin).
 *
 * Failures become the host's own typed errors through `errors` (the daemon's `DaemonError`,
 * the page's `BackendError`), so callers keep matching on the codes they know.
 */

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
  /** The refresh token to start from (as stored), if any. */
  refreshToken(): string | undefined;
  /** New tokens arrived: keep the refresh token. */
  onTokens(tokens: Tokens): Promise<void>;
  /** Sign in again with the passkey; undefined when this device has none. */
  signIn(): Promise<Tokens | undefined>;
}

/** Makes the host's errors out of the API's failures. */
export interface ServerErrors {
  /** No answer, or one that is not JSON. */
  unreachable(message: string, cause: unknown): Error;
  /** The server refused: `serverCode` is its reason (or code, or the HTTP status). */
  refused(serverCode: string, status: number, message: string): Error;
  /** Neither a refresh token nor a passkey could give a session. */
  notSignedIn(): Error;
}

export interface ServerApiOptions {
  readonly errors: ServerErrors;
  /** Other instances of the same cluster, tried after `baseUrl`. */
  readonly fallbacks?: readonly string[];
  readonly now?: () => number;
  /**
   * Learn other instances from `GET /v1/cluster` (default true). The page does not: its
   * content security policy lets it reach only its own origin, so a cluster serves browsers
   * behind one address.
   */
  readonly discoverInstances?: boolean;
  /**
   * Refresh the access token on a timer, ahead of its expiry, so a reconnect never waits for
   * it (the page does; the daemon refreshes when a token is needed).
   */
  readonly refreshAhead?: boolean;
}

// Server JSON is checked where it is used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Refresh this long before the access token expires. */
const EARLY_MS = 30_000;
/** Ask a cluster for its instances at most this often. */
const DISCOVER_EVERY_MS = 30_000;
const TIMEOUT_MS = 15_000;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A failure inside the API, before it becomes the host's error at the public boundary. */
class CallFailure extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused',
    message: string,
    readonly detail: { cause?: unknown; serverCode?: string; status?: number },
  ) {
    super(message);
  }
}

export class ServerApi {
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every instance URL known, `baseUrl` first; `active` indexes the one in use. */
  private readonly urls: string[];
  private active = 0;
  private discovered = 0;
  private readonly now: () => number;

  constructor(
    readonly baseUrl: string,
    private readonly hooks: SessionHooks,
    private readonly options: ServerApiOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.urls = [...new Set([baseUrl, ...(options.fallbacks ?? [])].map(normalize))];
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
   * is not clustered answers 404 and nothing changes), unless `discoverInstances` is false.
   * Never throws.
   */
  async discover(): Promise<void> {
    if (this.options.discoverInstances === false) return;
    if (this.now() - this.discovered < DISCOVER_EVERY_MS) return;
    this.discovered = this.now();
    try {
      const answer = (await this.sendTo(this.activeUrl, 'GET', '/v1/cluster', undefined)) as {
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
    return this.hostErrors(this.send(method, path, body, undefined));
  }

  /** A call as this device; refreshes or signs in again when the token is stale or refused. */
  authed(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> {
    return this.hostErrors(
      (async () => {
        const token = await this.accessToken();
        try {
          return await this.send(method, path, body, token);
        } catch (err) {
          if (!(err instanceof CallFailure) || err.detail.status !== 401) throw err;
          this.access = undefined;
          return this.send(method, path, body, await this.accessToken());
        }
      })(),
    );
  }

  /** Take tokens from a ceremony (register, link, sign-in). */
  async adopt(tokens: Tokens): Promise<void> {
    this.access = { token: tokens.accessToken, expiresAt: tokens.accessExpiresAt };
    await this.hooks.onTokens(tokens);
    if (this.options.refreshAhead) this.refreshBefore(tokens.accessExpiresAt);
  }

  /** Forget the session (sign-out). */
  forget(): void {
    this.access = undefined;
    clearTimeout(this.refreshTimer);
  }

  /** A valid access token: the current one, a refreshed one, or one from a new sign-in. */
  accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EARLY_MS > this.now()) {
      return Promise.resolve(this.access.token);
    }
    // One refresh at a time: refresh tokens rotate, a second use would be refused.
    this.refreshing ??= this.hostErrors(this.renew()).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async renew(): Promise<string> {
    const refreshToken = this.hooks.refreshToken();
    if (refreshToken !== undefined) {
      try {
        const answer = await this.send('POST', '/v1/auth/refresh', { refreshToken }, undefined);
        const tokens = answer as Tokens;
        await this.adopt(tokens);
        return tokens.accessToken;
      } catch (err) {
        // Refused (expired, revoked, rotated away): a passkey sign-in may still work.
        if (!(err instanceof CallFailure) || err.kind !== 'refused') throw err;
      }
    }
    const tokens = await this.hooks.signIn();
    if (tokens === undefined) throw this.options.errors.notSignedIn();
    await this.adopt(tokens);
    return tokens.accessToken;
  }

  private refreshBefore(expiresAt: number): void {
    clearTimeout(this.refreshTimer);
    const wait = Math.max(5_000, expiresAt - EARLY_MS - this.now());
    this.refreshTimer = setTimeout(
      () => {
        this.access = undefined;
        this.accessToken().catch(() => undefined);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  /** Turns the API's own failures into the host's errors; anything else passes as it is. */
  private async hostErrors<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      if (!(err instanceof CallFailure)) throw err;
      const { errors } = this.options;
      throw err.kind === 'unreachable'
        ? errors.unreachable(err.message, err.detail.cause)
        : errors.refused(err.detail.serverCode ?? '', err.detail.status ?? 0, err.message);
    }
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
        const unreachable = err instanceof CallFailure && err.kind === 'unreachable';
        if (!unreachable || tried >= this.urls.length || !this.failover()) throw err;
      }
    }
  }

  private async sendTo(
    baseUrl: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    token?: string,
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
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new CallFailure('unreachable', `cannot reach ${baseUrl}`, { cause });
    }
    let json: Json;
    try {
      json = await res.json();
    } catch (cause) {
      throw new CallFailure('unreachable', `${baseUrl} answered ${res.status}, not JSON`, {
        cause,
      });
    }
    if (res.ok) return json;
    const error = (
      json as { error?: { code?: unknown; message?: unknown; reason?: unknown } } | null
    )?.error;
    const serverCode =
      typeof error?.reason === 'string' ? error.reason : String(error?.code ?? res.status);
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`;
    throw new CallFailure('refused', `the server refused: ${message}`, {
      serverCode,
      status: res.status,
    });
  }
}

const normalize = (url: string): string => url.trim().replace(/\/+$/, '');
