/**
 * The shared server API against a scripted local HTTP server: the host's errors for each
 * failure, one retry after a 401, refresh then passkey sign-in, and the refresh ahead of
 * expiry the page asks for. (Cluster failover: apps/daemon/test/server-failover.test.ts.)
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ServerErrors, type SessionHooks, type Tokens, ServerApi } from '../src/index.js';

class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

const errors: ServerErrors = {
  unreachable: (message) => new HostError('UNREACHABLE', message),
  refused: (serverCode, status, message) => new HostError(serverCode, message, status),
  notSignedIn: () => new HostError('NOT_SIGNED_IN', 'no account'),
};

type Handler = (req: IncomingMessage, body: Json, res: ServerResponse) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      handler(req, text ? JSON.parse(text) : undefined, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const reply = (res: ServerResponse, status: number, json: unknown) => {
  res.statusCode = status;
  res.end(JSON.stringify(json));
};

const tokens = (n: number, accessExpiresAt = Date.now() + 600_000): Tokens => ({
  userId: 'u1',
  deviceId: 'd1',
  accessToken: `access-${n}`,
  accessExpiresAt,
  refreshToken: `refresh-${n}`,
  refreshExpiresAt: Date.now() + 86_400_000,
});

function hooks(refresh: string | undefined, signIn?: () => Promise<Tokens | undefined>) {
  const saved: string[] = [];
  const session: SessionHooks = {
    refreshToken: () => saved.at(-1) ?? refresh,
    onTokens: async (t) => void saved.push(t.refreshToken),
    signIn: signIn ?? (async () => undefined),
  };
  return { session, saved };
}

describe('ServerApi (shared)', () => {
  it('a refusal is the host error with the server reason and status; not JSON is unreachable', async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === '/html') return void res.end('<html>');
      reply(res, 403, { error: { code: 'FORBIDDEN', reason: 'NOT_OWNER', message: 'no' } });
    });
    const api = new ServerApi(url, hooks(undefined).session, { errors });
    await expect(api.call('POST', '/x', {})).rejects.toMatchObject({
      code: 'NOT_OWNER',
      status: 403,
      message: 'the server refused: no',
    });
    await expect(api.call('GET', '/html')).rejects.toMatchObject({ code: 'UNREACHABLE' });
    const nothing = new ServerApi('http://127.0.0.1:1', hooks(undefined).session, { errors });
    await expect(nothing.call('GET', '/x')).rejects.toBeInstanceOf(HostError);
  });

  it('no refresh token and no passkey: NOT_SIGNED_IN from the host', async () => {
    const url = await serve((_req, _body, res) => reply(res, 200, {}));
    const api = new ServerApi(url, hooks(undefined).session, { errors });
    await expect(api.authed('GET', '/v1/me')).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('refreshes once for concurrent calls, and retries a call refused with 401 with a new token', async () => {
    let refreshes = 0;
    const seen: string[] = [];
    const url = await serve((req, body, res) => {
      if (req.url === '/v1/auth/refresh') {
        refreshes++;
        expect(body).toEqual({ refreshToken: `refresh-${refreshes - 1}` });
        return reply(res, 200, tokens(refreshes));
      }
      seen.push(req.headers.authorization ?? '');
      if (req.headers.authorization === 'Bearer access-1') return reply(res, 401, {});
      reply(res, 200, { ok: req.url });
    });
    const { session, saved } = hooks('refresh-0');
    const api = new ServerApi(url, session, { errors });
    const [a, b] = await Promise.all([api.accessToken(), api.accessToken()]);
    expect([a, b, refreshes]).toEqual(['access-1', 'access-1', 1]);
    expect(await api.authed('GET', '/v1/me')).toEqual({ ok: '/v1/me' });
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(saved).toEqual(['refresh-1', 'refresh-2']);
  });

  it('a refused refresh falls back to the passkey; an unreachable one does not', async () => {
    const url = await serve((_req, _body, res) =>
      reply(res, 401, { error: { reason: 'REFRESH_REVOKED', message: 'revoked' } }),
    );
    const signIn = vi.fn(async () => tokens(7));
    const api = new ServerApi(url, hooks('old', signIn).session, { errors });
    expect(await api.accessToken()).toBe('access-7');
    const away = new ServerApi('http://127.0.0.1:1', hooks('old', signIn).session, { errors });
    await expect(away.accessToken()).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(signIn).toHaveBeenCalledOnce();
  });

  it('learns other instances from /v1/cluster, unless told not to (the page)', async () => {
    const asked: string[] = [];
    const url = await serve((req, _body, res) => {
      asked.push(req.url ?? '');
      reply(res, 200, { instances: [{ url: 'http://127.0.0.1:9/' }] });
    });
    const page = new ServerApi(url, hooks(undefined).session, { errors, discoverInstances: false });
    await page.discover();
    expect([asked, page.knownUrls]).toEqual([[], [url]]);
    const daemon = new ServerApi(url, hooks(undefined).session, { errors });
    await daemon.discover();
    expect([asked, daemon.knownUrls]).toEqual([['/v1/cluster'], [url, 'http://127.0.0.1:9']]);
  });

  it('refreshAhead renews 30 s before expiry without being asked; forget stops it', async () => {
    let refreshes = 0;
    const url = await serve((_req, _body, res) => {
      refreshes++;
      reply(res, 200, tokens(refreshes + 1, Date.now() + 600_000));
    });
    const ahead = new ServerApi(url, hooks('r').session, { errors, refreshAhead: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await ahead.adopt(tokens(1, Date.now() + 40_000));
    vi.advanceTimersByTime(9_000);
    expect(refreshes).toBe(0);
    vi.advanceTimersByTime(2_000);
    vi.useRealTimers();
    await vi.waitFor(() => expect(refreshes).toBe(1));
    expect(await ahead.accessToken()).toBe('access-2');
    ahead.forget();

    const lazy = new ServerApi(url, hooks('r').session, { errors });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await lazy.adopt(tokens(1, Date.now() + 40_000));
    expect(vi.getTimerCount()).toBe(0);
  });
});
