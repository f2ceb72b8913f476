import { ErrorCode, asNodeId, asPoolId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { POOL, errorsOf, testHub } from './fixture.js';

describe('authentication and admission', () => {
  it('[SIG4] a first frame other than auth gets UNAUTHENTICATED and the connection closes', async () => {
    const { hub, connect } = testHub();
    const node = connect();
    const seq = await node.send({ case: 'heartbeat', value: { sentMs: 5n } });
    expect(errorsOf(node.conn.frames)).toEqual([[ErrorCode.UNAUTHENTICATED, seq]]);
    expect(node.conn.closedWith).toEqual({ code: 4005, reason: 'NOT_AUTHENTICATED' });
    expect(hub.metrics().connectedSessions).toBe(0);
    // Later frames are ignored.
    await node.send({ case: 'auth', value: { accessToken: 'tok.u.d' } });
    expect(node.conn.frames).toHaveLength(1);
    expect(node.conn.lateSends).toBe(0);
  });

  it('[SIG4] a bad token gets UNAUTHENTICATED and the connection closes', async () => {
    const { connect } = testHub();
    const node = connect();
    const seq = await node.send({ case: 'auth', value: { accessToken: 'stolen' } });
    expect(errorsOf(node.conn.frames)).toEqual([[ErrorCode.UNAUTHENTICATED, seq]]);
    expect(node.conn.closedWith).toEqual({ code: 4005, reason: 'BAD_TOKEN' });
  });

  it('[SIG4] a connection that does not authenticate in time is closed', async () => {
    const { connect, clock } = testHub({ limits: { authTimeoutMs: 1000 } });
    const node = connect();
    await clock.advance(999);
    expect(node.conn.closedWith).toBeUndefined();
    await clock.advance(1);
    expect(errorsOf(node.conn.frames)).toEqual([[ErrorCode.UNAUTHENTICATED, 0]]);
    expect(node.conn.closedWith).toEqual({ code: 4005, reason: 'AUTH_TIMEOUT' });
  });

  it('[SIG4] a good token is answered with the user and device it is bound to', async () => {
    const { connect, clock } = testHub({ limits: { authTimeoutMs: 1000 } });
    const node = connect();
    const seq = await node.send({ case: 'auth', value: { accessToken: 'tok.ana.laptop' } });
    const [frame] = node.conn.take();
    expect(frame?.ackSeq).toBe(seq);
    expect(frame?.body).toMatchObject({
      case: 'authenticated',
      value: { userId: 'ana', deviceId: 'laptop' },
    });
    // The auth deadline is gone once authenticated.
    await clock.advance(5000);
    expect(node.conn.closedWith).toBeUndefined();
    // A second auth is a conflict, not a close.
    const again = await node.send({ case: 'auth', value: { accessToken: 'tok.ana.laptop' } });
    expect(errorsOf(node.conn.take())).toEqual([[ErrorCode.CONFLICT, again]]);
    expect(node.conn.closedWith).toBeUndefined();
  });

  it('[SIG5] a non-member is refused with FORBIDDEN and the connection stays', async () => {
    const { hub, connect, allow } = testHub();
    const node = connect();
    await node.send({ case: 'auth', value: { accessToken: 'tok.eve.phone' } });
    node.conn.take();
    const seq = await node.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'phone', name: '' } },
    });
    expect(errorsOf(node.conn.take())).toEqual([[ErrorCode.FORBIDDEN, seq]]);
    expect(node.conn.closedWith).toBeUndefined();
    expect(hub.topologyOf(POOL)).toBeUndefined();
    // Still usable: it may join a pool it belongs to.
    const other = asPoolId('pool-2');
    allow('eve', other);
    await node.send({ case: 'join', value: { poolId: other, device: { deviceId: 'phone' } } });
    expect(node.conn.take().map((f) => f.body.case)).toEqual(['joined']);
    expect(hub.topologyOf(other)?.has(asNodeId('phone'))).toBe(true);
  });

  it("[SIG5] a join for another device than the token's, or a second join, is refused", async () => {
    const { join, connect } = testHub();
    const joined = await join('laptop', 'ana');
    joined.conn.take();
    const twice = await joined.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'laptop' } },
    });
    expect(errorsOf(joined.conn.take())).toEqual([[ErrorCode.CONFLICT, twice]]);

    const node = connect();
    await node.send({ case: 'auth', value: { accessToken: 'tok.ana.phone' } });
    node.conn.take();
    const wrong = await node.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'laptop' } },
    });
    expect(errorsOf(node.conn.take())).toEqual([[ErrorCode.FORBIDDEN, wrong]]);
    expect(joined.conn.closedWith).toBeUndefined();
    expect(node.conn.closedWith).toBeUndefined();
  });

  it('[SIG13] a failing dependency becomes a bare INTERNAL error, no detail leaks', async () => {
    const { connect } = testHub({
      isMember: async () => {
        throw new Error('SELECT * FROM members -- connection refused at 10.0.0.5');
      },
    });
    const node = connect();
    await node.send({ case: 'auth', value: { accessToken: 'tok.ana.laptop' } });
    node.conn.take();
    const seq = await node.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'laptop' } },
    });
    const [frame] = node.conn.take();
    expect(frame?.body).toMatchObject({
      case: 'error',
      value: { code: ErrorCode.INTERNAL, message: 'INTERNAL', seq },
    });
    expect(node.conn.closedWith).toBeUndefined();
  });

  it('[SIG13] frames that need a pool before join are refused with FORBIDDEN', async () => {
    const { connect } = testHub();
    const node = connect();
    await node.send({ case: 'auth', value: { accessToken: 'tok.ana.laptop' } });
    node.conn.take();
    const seqs = [
      await node.send({ case: 'signal', value: { toNodeId: 'x', payload: new Uint8Array([1]) } }),
      await node.send({ case: 'report', value: { nodeId: 'x' } }),
      await node.send({ case: 'verifyReply', value: { nodeId: 'x', reachable: true } }),
      await node.send({ case: 'linkState', value: { nodeId: 'x', up: true } }),
      await node.send({ case: 'leave', value: {} }),
    ];
    expect(errorsOf(node.conn.take())).toEqual(seqs.map((s) => [ErrorCode.FORBIDDEN, s]));
    expect(node.conn.closedWith).toBeUndefined();
  });
});
