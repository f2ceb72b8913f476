// @vitest-environment jsdom
/**
 * The desktop backend's edges without a daemon: the token taken from the address fragment,
 * errors turned into readable `BackendError`s, uploads as raw bodies, a folder shared by its
 * path, and the event socket (token in the first frame, one socket shared, reconnect with a
 * growing delay).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackendError, type DaemonEvent } from '../../src/api/backend.js';
import { DaemonBackend } from '../../src/api/daemon-backend.js';
import { takeDesktopToken } from '../../src/api/desktop-token.js';

class FakeSocket {
  static all: FakeSocket[] = [];
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.onclose?.();
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

describe('desktop token', () => {
  it('takes #token= from the address, keeps it for the tab and removes it from the bar', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    const history = { replaceState: vi.fn() };
    const token = takeDesktopToken(
      { hash: '#token=abc_DEF-123', pathname: '/pools/x', search: '' },
      storage,
      history,
    );
    expect(token).toBe('abc_DEF-123');
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/pools/x');
    // A reload (no fragment any more) finds it in the tab's storage.
    expect(takeDesktopToken({ hash: '', pathname: '/', search: '' }, storage, history)).toBe(
      'abc_DEF-123',
    );
    // An invite fragment is not a token.
    const empty = { getItem: () => null, setItem: vi.fn() };
    expect(
      takeDesktopToken({ hash: '#SOMEINVITE', pathname: '/join', search: '' }, empty, history),
    ).toBeNull();
  });
});

describe('DaemonBackend', () => {
  it('sends the bearer token and reads answers', async () => {
    const fetchImpl = vi.fn(async () => json(200, { pools: [{ id: 'p1' }] }));
    const backend = new DaemonBackend({ baseUrl: 'http://127.0.0.1:9', token: 'tok', fetchImpl });
    expect(await backend.pools()).toEqual([{ id: 'p1' }]);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:9/v1/pools');
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('turns errors into readable BackendErrors with the daemon code', async () => {
    const refuse = vi.fn(async () =>
      json(404, { error: { code: 'UNKNOWN_POOL', message: 'no pool Garden' } }),
    );
    const backend = new DaemonBackend({ token: 't', fetchImpl: refuse });
    const err = await backend.members('Garden').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: 'UNKNOWN_POOL', message: 'no pool Garden', status: 404 });

    const down = new DaemonBackend({
      token: 't',
      fetchImpl: vi.fn(async () => Promise.reject(new TypeError('fetch failed'))),
    });
    await expect(down.status()).rejects.toMatchObject({ code: 'DAEMON_UNREACHABLE' });

    const html = new DaemonBackend({
      token: 't',
      fetchImpl: vi.fn(async () => new Response('<html>', { status: 500 })),
    });
    await expect(html.status()).rejects.toMatchObject({ code: 'HTTP_500', status: 500 });

    const wrongKey = new DaemonBackend({
      token: 't',
      fetchImpl: vi.fn(async () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } })),
    });
    await expect(wrongKey.status()).rejects.toThrow(/poolnet up/);
  });

  it("changes a pool's limits through /v1/pools/settings", async () => {
    const settings = { maxTextBytes: 2000, maxFileBytes: 1_048_576 };
    const fetchImpl = vi.fn(async () => json(200, { pool: { id: 'p1', name: 'G', settings } }));
    const backend = new DaemonBackend({ token: 't', fetchImpl });
    expect(await backend.updatePoolSettings('p1', { maxTextBytes: 2000 })).toEqual({
      id: 'p1',
      name: 'G',
      settings,
    });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/pools/settings');
    expect(JSON.parse(init.body as string)).toEqual({ pool: 'p1', maxTextBytes: 2000 });
  });

  it('uploads each file as a raw body with its name in the query', async () => {
    const fetchImpl = vi.fn(async () => json(200, { file: { id: 'f1', name: 'a b.txt' } }));
    const backend = new DaemonBackend({ token: 't', fetchImpl });
    const file = new File(['hello'], 'a b.txt', { type: 'text/plain' });
    expect(await backend.share('p1', [file])).toEqual([{ id: 'f1', name: 'a b.txt' }]);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/files/upload?pool=p1&name=a+b.txt');
    expect(init.method).toBe('POST');
    expect(init.body).toBe(file);
  });

  it('shares a folder by its path, asking the daemon for a folder only; picked files are refused', async () => {
    const answer = { folder: { id: 'd1', name: 'Trip' }, skipped: [] };
    const fetchImpl = vi.fn(async () => json(200, answer));
    const backend = new DaemonBackend({ token: 't', fetchImpl });
    expect(await backend.shareFolder('p1', { path: ' /home/ann/Trip ' })).toEqual(answer);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/v1/files/share');
    expect(JSON.parse(init.body as string)).toEqual({
      pool: 'p1',
      path: '/home/ann/Trip',
      folder: true,
    });
    const picked = { files: [{ file: new File(['x'], 'a.txt'), path: 'Trip/a.txt' }] };
    await expect(backend.shareFolder('p1', picked)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('shares one event socket, sends the token first, and reconnects with backoff', async () => {
    vi.useFakeTimers();
    const backend = new DaemonBackend({
      baseUrl: 'http://127.0.0.1:7',
      token: 'secret',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    const a: DaemonEvent[] = [];
    const b: DaemonEvent[] = [];
    const ups: boolean[] = [];
    const offA = backend.subscribe(
      (e) => a.push(e),
      (up) => ups.push(up),
    );
    const offB = backend.subscribe((e) => b.push(e));
    expect(FakeSocket.all).toHaveLength(1);
    const first = FakeSocket.all[0] as FakeSocket;
    expect(first.url).toBe('ws://127.0.0.1:7/v1/events');
    first.onopen?.();
    expect(first.sent).toEqual([JSON.stringify({ token: 'secret' })]);
    first.onmessage?.({ data: JSON.stringify({ type: 'ready' }) });
    expect(ups).toEqual([true]);
    const event: DaemonEvent = { type: 'server', connected: true };
    first.onmessage?.({ data: JSON.stringify(event) });
    first.onmessage?.({ data: 'not json' });
    expect(a).toEqual([event]);
    expect(b).toEqual([event]);

    // Dropped: down, then a new socket after 0.5 s, then 1 s, then 2 s.
    first.onclose?.();
    expect(ups).toEqual([true, false]);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    (FakeSocket.all[1] as FakeSocket).onclose?.();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    // Back up: the delay starts again from 0.5 s.
    const third = FakeSocket.all[2] as FakeSocket;
    third.onopen?.();
    third.onmessage?.({ data: JSON.stringify({ type: 'ready' }) });
    expect(ups).toEqual([true, false, true]);

    // The last unsubscribe closes it for good.
    offA();
    offB();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(3);
  });
});
