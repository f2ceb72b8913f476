/**
 * The shared pool signalling against a scripted socket and API: what it sends on opening, how
 * a session starts, and how it comes back after each kind of close (cluster failover on a dead
 * instance, the quick rejoin after 1012, the end on a final refusal).
 */
import type { SignallingEvents } from '@poolnet/engine';
import {
  type ClientFrame,
  DeviceType,
  ErrorCode,
  decodeClientFrame,
  encodeServerFrame,
} from '@poolnet/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type SignallingApi,
  type SignalSocket,
  type SocketEvents,
  PoolSignalling,
} from '../src/index.js';
import { serverBodies, serverFrame } from '../../protocol/test/fixtures.js';

interface FakeSocket {
  readonly url: string;
  readonly events: SocketEvents;
  readonly sent: ClientFrame[];
  open: boolean;
  closedWith?: { code?: number; reason?: string } | 'terminated';
}

function setup(urls = ['http://a.test', 'http://b.test'], canTerminate = true) {
  const sockets: FakeSocket[] = [];
  let active = 0;
  const api = {
    get activeUrl() {
      return urls[active] ?? '';
    },
    get signalUrl() {
      return `${this.activeUrl.replace(/^http/, 'ws')}/v1/signal`;
    },
    accessToken: vi.fn(async () => 'token-1'),
    forget: vi.fn(),
    discover: vi.fn(async () => undefined),
    failover: vi.fn(() => {
      if (urls.length < 2) return false;
      active = (active + 1) % urls.length;
      return true;
    }),
  } satisfies SignallingApi;
  const placed: boolean[] = [];
  const gone: string[] = [];
  const sessions: number[] = [];
  const engine: string[] = [];
  const signalling = new PoolSignalling({
    api,
    poolId: 'pool-1',
    device: { deviceId: 'node-a', name: 'Ana laptop' },
    deviceType: DeviceType.BROWSER,
    openSocket: (url, events): SignalSocket => {
      const socket: FakeSocket = { url, events, sent: [], open: false };
      sockets.push(socket);
      return {
        get readyState() {
          return socket.open ? 1 : 0;
        },
        send: (data) => socket.sent.push(decodeClientFrame(data)),
        close: (code, reason) => (socket.closedWith = { code, reason }),
        ...(canTerminate && { terminate: () => (socket.closedWith = 'terminated') }),
      };
    },
    onSession: () => sessions.push(sessions.length + 1),
    onPlaced: (p) => placed.push(p),
    onGone: (reason) => gone.push(reason),
  });
  const events: SignallingEvents = {
    position: (p) => engine.push(`position ${p.epoch}`),
    connect: (peer) => engine.push(`connect ${peer}`),
    disconnect: (peer) => engine.push(`disconnect ${peer}`),
    signal: (peer) => engine.push(`signal ${peer}`),
    verify: (peer) => engine.push(`verify ${peer}`),
  };
  signalling.subscribe(events);
  const last = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  const open = (socket = last()) => {
    socket.open = true;
    socket.events.open();
  };
  const close = (code: number, reason = '', socket = last()) => {
    socket.open = false;
    socket.events.close(code, reason);
  };
  const receive = (index: number, socket = last()) => {
    const body = serverBodies()[index];
    if (!body) throw new Error(`no server body ${index}`);
    socket.events.message(encodeServerFrame(serverFrame(body)));
  };
  return { api, signalling, sockets, last, open, close, receive, placed, gone, sessions, engine };
}

const JOINED = 1;
const CONNECT = 3;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PoolSignalling (shared)', () => {
  it('authenticates, joins as the given device type and starts a session on joined', async () => {
    const t = setup();
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.last().url).toBe('ws://a.test/v1/signal');
    t.open();
    const [auth, join] = t.last().sent;
    expect(auth?.body).toMatchObject({ case: 'auth', value: { accessToken: 'token-1' } });
    expect(join?.body).toMatchObject({
      case: 'join',
      value: { poolId: 'pool-1', device: { deviceId: 'node-a', type: DeviceType.BROWSER } },
    });
    t.receive(JOINED);
    expect(t.sessions).toEqual([1]);
    expect(t.placed).toEqual([true]);
    expect(t.signalling.isPlaced).toBe(true);
    expect(t.engine).toEqual(['position 42']);
    expect(t.api.discover).toHaveBeenCalledOnce();
    expect(t.signalling.members().map((m) => m.userId)).toEqual(['user-2']);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(t.last().sent.map((f) => f.body.case)).toEqual(['auth', 'join', 'heartbeat']);
    t.signalling.stop();
  });

  it('a dropped instance (1006) moves to the next URL within a second; the new session disconnects old peers and keeps epochs rising', async () => {
    const t = setup();
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.open();
    t.receive(JOINED);
    t.receive(CONNECT);
    t.close(1006);
    expect(t.placed).toEqual([true, false]);
    expect(t.api.failover).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(800);
    expect(t.sockets.map((s) => s.url)).toEqual(['ws://a.test/v1/signal', 'ws://b.test/v1/signal']);
    t.open();
    t.receive(JOINED); // the other instance counts epochs from its own start: 42 again
    expect(t.engine).toEqual(['position 42', 'connect node-b', 'disconnect node-b', 'position 43']);
    t.signalling.stop();
  });

  it('a socket that never opens fails over; with no other instance it waits the backoff (≥ 3 s)', async () => {
    const t = setup(['http://a.test']);
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.close(1006);
    expect(t.api.failover).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(t.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(t.sockets).toHaveLength(2);
    expect(t.last().url).toBe('ws://a.test/v1/signal');
    t.signalling.stop();
  });

  it('1012 (the pool moved) rejoins the same URL within a second, without failover', async () => {
    const t = setup();
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.open();
    t.receive(JOINED);
    t.close(1012);
    await vi.advanceTimersByTimeAsync(800);
    expect(t.sockets.map((s) => s.url)).toEqual(['ws://a.test/v1/signal', 'ws://a.test/v1/signal']);
    expect(t.api.failover).not.toHaveBeenCalled();
    t.signalling.stop();
  });

  it('an unauthenticated close forgets the token; a final refusal ends for good', async () => {
    const t = setup();
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.open();
    t.close(4000 + ErrorCode.UNAUTHENTICATED, 'retry');
    expect(t.api.forget).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(10_000);
    t.open();
    t.close(1000, 'NOT_A_MEMBER');
    expect(t.gone).toEqual(['NOT_A_MEMBER']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(2);
  });

  it('stop leaves politely when open and drops a socket still connecting', async () => {
    const t = setup();
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.signalling.stop();
    expect(t.last().closedWith).toBe('terminated');
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.open();
    t.signalling.stop();
    expect(t.last().sent.at(-1)?.body.case).toBe('leave');
    expect(t.last().closedWith).toEqual({ code: 1000, reason: 'leave' });
  });

  it("stop closes a connecting socket that has no terminate (as the page's WebSocket)", async () => {
    const t = setup(['http://a.test'], false);
    t.signalling.start();
    await vi.advanceTimersByTimeAsync(0);
    t.signalling.stop();
    expect(t.last().closedWith).toEqual({});
  });

  it('a socket the host cannot open counts as unreachable: the next URL soon, else the backoff', async () => {
    for (const urls of [['http://a.test', 'http://b.test'], ['http://a.test']]) {
      const t = setup(urls);
      const opened: string[] = [];
      const signalling = new PoolSignalling({
        api: t.api,
        poolId: 'pool-1',
        device: { deviceId: 'node-a', name: 'x' },
        deviceType: DeviceType.DESKTOP,
        openSocket: (url) => {
          opened.push(url);
          throw new SyntaxError('bad url');
        },
        onSession: () => undefined,
        onPlaced: () => undefined,
        onGone: () => undefined,
      });
      signalling.start();
      await vi.advanceTimersByTimeAsync(900);
      if (urls.length === 2) {
        // b within the quick retry (at most 0.8 s); a third try may follow as quickly.
        expect(opened.slice(0, 2)).toEqual(['ws://a.test/v1/signal', 'ws://b.test/v1/signal']);
      } else {
        expect(opened).toEqual(['ws://a.test/v1/signal']);
        await vi.advanceTimersByTimeAsync(3_000);
        expect(opened).toHaveLength(2);
      }
      signalling.stop();
    }
  });
});
