/**
 * [SIG17] The hub's side of cluster mode, without processes: an "edge" hub whose router
 * forwards joins to an "owner" hub in the same process, the way `ClusterNode` does over NATS.
 */
import { describe, expect, it } from 'vitest';
import type { Connection, PoolRouter, Session } from '../../src/signalling/index.js';
import { SignallingError } from '../../src/signalling/index.js';
import { POOL, errorsOf, testHub } from './fixture.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function cluster(options: { refuse?: boolean } = {}) {
  const owner = testHub();
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const opened: Session[] = [];
  let linksClosed = 0;
  const router: PoolRouter = {
    released: () => undefined,
    route: async (request) => {
      await gate;
      if (options.refuse) throw new SignallingError('POOL_MOVED', 'no owner');
      const conn: Connection = {
        remoteAddress: 'cluster:edge',
        send: (frame) => request.peer.send(frame),
        close: (code, reason) => request.peer.closeWith(code, reason),
      };
      const session = owner.hub.connect(conn, request.identity);
      opened.push(session);
      void session.receive(request.joinFrame);
      return {
        forward: (bytes) => void session.receive(bytes),
        close: () => {
          linksClosed++;
          session.closed();
        },
      };
    },
  };
  const edge = testHub({ router });
  return {
    owner,
    edge,
    opened,
    linksClosed: () => linksClosed,
    hold: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

describe('cluster routing in the hub', () => {
  it('[SIG17] a join on the edge is placed on the owner; the owner answers every later frame', async () => {
    const { owner, edge } = cluster();
    const local = await owner.join('a', 'ua');
    owner.allow('ub');
    const b = await edge.join('b', 'ub');
    await flush();
    const joined = b.conn.take().find((f) => f.body.case === 'joined');
    expect(joined?.body.value).toMatchObject({ nodeId: 'b', memberCount: 2 });
    expect(owner.hub.topologyOf(POOL)?.has('b' as never)).toBe(true);
    expect(edge.hub.livePoolIds()).toEqual([]);
    expect(local.conn.take().some((f) => f.body.case === 'connect')).toBe(true);

    await b.heartbeat();
    await flush();
    expect(b.conn.take().map((f) => f.body.case)).toEqual(['heartbeatAck']);
  });

  it('[SIG17] frames sent while the route is open wait for it and arrive after the join, in order', async () => {
    const { owner, edge, hold, release } = cluster();
    owner.allow('ub');
    hold();
    const b = edge.connect('b');
    await b.send({ case: 'auth', value: { accessToken: 'tok.ub.b' } });
    b.conn.take();
    const join = b.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'b', name: 'b' } },
    });
    const beat = b.heartbeat();
    release();
    await Promise.all([join, beat]);
    await flush();
    expect(b.conn.take().map((f) => f.body.case)).toEqual(['joined', 'heartbeatAck']);
  });

  it('[SIG17] the client going away ends the session on the owner; one closing before the route is open ends the link too', async () => {
    const c = cluster();
    c.owner.allow('ub');
    const b = await c.edge.join('b', 'ub');
    await flush();
    b.session.closed();
    await flush();
    expect(c.linksClosed()).toBe(1);
    expect(c.owner.hub.topologyOf(POOL)).toBeUndefined();

    c.owner.allow('uc');
    c.hold();
    const late = c.edge.connect('c');
    await late.send({ case: 'auth', value: { accessToken: 'tok.uc.c' } });
    const join = late.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'c', name: 'c' } },
    });
    await flush(); // the route is open now, waiting for the owner
    late.session.closed();
    c.release();
    await join;
    await flush();
    expect(c.linksClosed()).toBe(2);
    expect(c.owner.hub.topologyOf(POOL)?.has('c' as never) ?? false).toBe(false);
  });

  it('[SIG17] evacuating a pool on the owner closes its devices with 1012, wherever their socket is', async () => {
    const { owner, edge } = cluster();
    const a = await owner.join('a', 'ua');
    owner.allow('ub');
    const b = await edge.join('b', 'ub');
    await flush();
    expect(owner.hub.evacuate(POOL, 'lease lost')).toBe(2);
    await flush();
    expect(a.conn.closedWith).toEqual({ code: 1012, reason: 'POOL_MOVED' });
    expect(b.conn.closedWith).toEqual({ code: 1012, reason: 'POOL_MOVED' });
    expect(owner.hub.topologyOf(POOL)).toBeUndefined();
  });

  it('[SIG17] no owner reachable: the join is refused with its seq and the socket closed with 1012', async () => {
    const { edge } = cluster({ refuse: true });
    const b = edge.connect('b');
    await b.send({ case: 'auth', value: { accessToken: 'tok.ub.b' } });
    const seq = await b.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'b', name: 'b' } },
    });
    expect(errorsOf(b.conn.frames).at(-1)?.[1]).toBe(seq);
    expect(b.conn.closedWith).toEqual({ code: 1012, reason: 'POOL_MOVED' });
  });
});
