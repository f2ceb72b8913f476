import { ErrorCode, asPoolId } from '@poolnet/protocol';
import { describe, expect, it } from 'vitest';
import { SignallingError, resolveLimits } from '../../src/signalling/index.js';
import { POOL, errorsOf, testHub } from './fixture.js';

describe('the hub as a whole', () => {
  it('[SIG14] metrics count sessions, pools, joins, relayed and refused signals, bad frames', async () => {
    const { hub, join, connect, allow } = testHub();
    const a = await join('a');
    const b = await join('b');
    allow('u-c', asPoolId('pool-2'));
    await join('c', 'u-c', asPoolId('pool-2'));
    connect();
    await a.send({ case: 'signal', value: { toNodeId: 'b', payload: new Uint8Array([1]) } });
    await a.send({ case: 'signal', value: { toNodeId: 'c', payload: new Uint8Array([1]) } });
    await b.session.receive(new Uint8Array([1, 2, 3]));
    expect(hub.metrics()).toMatchObject({
      connectedSessions: 4,
      livePools: 2,
      joins: 3,
      relayedSignals: 1,
      refusedSignals: 1,
      badFrames: 1,
    });
  });

  it('[SIG12] a connection whose send fails is dropped and its node removed', async () => {
    const { hub, join } = testHub();
    const a = await join('a');
    const b = await join('b');
    b.conn.send = () => {
      throw new Error('socket gone');
    };
    await a.send({ case: 'signal', value: { toNodeId: 'b', payload: new Uint8Array([1]) } });
    await Promise.resolve();
    expect(hub.topologyOf(POOL)?.nodeIds()).toEqual(['a']);
    expect(hub.metrics().connectedSessions).toBe(1);
    expect(errorsOf(a.conn.frames)).toEqual([]);
  });

  it('[SIG12] shutdown closes every connection with 1001 and forgets every pool', async () => {
    const { hub, join, connect } = testHub();
    const a = await join('a');
    const b = await join('b');
    const pending = connect();
    b.conn.take();
    hub.shutdown();
    for (const node of [a, b, pending]) {
      expect(node.conn.closedWith).toEqual({ code: 1001, reason: 'SHUTTING_DOWN' });
      expect(errorsOf(node.conn.frames).at(-1)).toEqual([ErrorCode.INTERNAL, 0]);
    }
    // Nobody was told about the others leaving: everyone goes.
    expect(b.conn.take().map((f) => f.body.case)).toEqual(['error']);
    expect(hub.topologyOf(POOL)).toBeUndefined();
    expect(hub.metrics()).toMatchObject({ connectedSessions: 0, livePools: 0 });
  });

  it('limits must be positive integers', () => {
    expect(() => resolveLimits({ maxBadFrames: 0 })).toThrow(SignallingError);
    expect(resolveLimits({ maxBadFrames: 2 }).maxBadFrames).toBe(2);
  });
});

describe('races with the injected checks', () => {
  it('[SIG12] a socket that closes while its join awaits the membership check places nothing', async () => {
    let release: (member: boolean) => void = () => {};
    const { hub, connect } = testHub({
      isMember: () => new Promise<boolean>((resolve) => (release = resolve)),
    });
    const node = connect();
    await node.send({ case: 'auth', value: { accessToken: 'tok.ana.laptop' } });
    const joining = node.send({
      case: 'join',
      value: { poolId: POOL, device: { deviceId: 'laptop' } },
    });
    await Promise.resolve();
    node.session.closed();
    release(true);
    await joining;
    expect(hub.topologyOf(POOL)).toBeUndefined();
    expect(hub.metrics()).toMatchObject({ connectedSessions: 0, livePools: 0, joins: 0 });
  });
});
