/**
 * Cluster mode's pure parts, in every `npm test` (no NATS, no PostgreSQL): its configuration
 * and the envelope instances exchange, which must refuse anything it did not write.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  edgeOf,
  encodeEnvelope,
  jsonBody,
  parseClose,
  parseOpen,
} from '../../src/cluster/envelope.js';
import { isClusterError } from '../../src/cluster/errors.js';
import { parseOnlineAnswer } from '../../src/cluster/cluster-node.js';
import { asPoolId } from '@poolnet/protocol';
import { ConfigError } from '../../src/http/errors.js';
import { parseServerConfig } from '../../src/http/config.js';

const rp = { id: 'localhost', name: 'Poolnet', origins: ['http://localhost:8080'] };
const cluster = { natsUrl: 'nats://127.0.0.1:4222', instanceId: 'a', publicUrl: 'http://a:1' };

describe('cluster configuration', () => {
  it('[CL1] cluster mode needs PostgreSQL, and fills its defaults', () => {
    expect(() => parseServerConfig({ rp, cluster })).toThrow(ConfigError);
    const config = parseServerConfig({ rp, cluster, databaseUrl: 'postgres://x/y' });
    expect(config.cluster).toMatchObject({
      leaseTtlMs: 4000,
      renewEveryMs: 1000,
      presenceTimeoutMs: 3000,
      subjectPrefix: 'poolnet',
    });
  });

  it('[CL1] bad cluster settings are refused by name', () => {
    const bad = (patch: Record<string, unknown>) => {
      try {
        parseServerConfig({ rp, databaseUrl: 'postgres://x/y', cluster: { ...cluster, ...patch } });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ natsUrl: 'http://nats' })).toContain('natsUrl');
    expect(bad({ instanceId: 'a.b' })).toContain('instanceId');
    expect(bad({ instanceId: '' })).toContain('instanceId');
    expect(bad({ publicUrl: 'nope' })).toContain('publicUrl');
    expect(bad({ leaseTtlMs: 1000, renewEveryMs: 1000 })).toContain('renewEveryMs');
    expect(bad({ typo: 1 })).toContain('typo');
  });
});

describe('cluster envelope', () => {
  it('[CL4] round-trips every kind with the frame bytes untouched', () => {
    const frame = randomBytes(300);
    for (const kind of ['open', 'toOwner', 'closeOwner', 'toEdge', 'closeEdge'] as const) {
      const decoded = decodeEnvelope(encodeEnvelope(kind, 'inst-1~42', frame));
      expect(decoded.kind).toBe(kind);
      expect(decoded.sid).toBe('inst-1~42');
      expect(Buffer.from(decoded.body)).toEqual(frame);
    }
    expect(edgeOf('inst-1~42')).toBe('inst-1');
    const open = { poolId: 'p', epoch: 3, userId: 'u', deviceId: 'd', join: 'AAE=' };
    expect(parseOpen(jsonBody(open))).toEqual(open);
    expect(parseClose(jsonBody({ code: 1012, reason: 'POOL_MOVED' }))).toEqual({
      code: 1012,
      reason: 'POOL_MOVED',
    });
  });

  it('[CL4] refuses garbage with BAD_ENVELOPE, never anything else', () => {
    const samples: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(9, 0),
      Uint8Array.of(1, 200, 65),
      encodeEnvelope('toOwner', 'no-tilde', new Uint8Array(0)),
      encodeEnvelope('toOwner', 'a~b', new Uint8Array(0)),
    ];
    for (let i = 0; i < 200; i++) samples.push(randomBytes(1 + (i % 40)));
    for (const bytes of samples) {
      try {
        decodeEnvelope(bytes);
      } catch (err) {
        expect(isClusterError(err, 'BAD_ENVELOPE')).toBe(true);
      }
    }
    const bodies = ['', 'null', '[]', '{"poolId":1}', 'not json', '{"code":"x","reason":1}'];
    for (const text of bodies) {
      const bytes = new TextEncoder().encode(text);
      expect(() => parseOpen(bytes)).toThrow(/open body|JSON|object/);
      expect(() => parseClose(bytes)).toThrow(/close body|JSON|object/);
    }
  });
});

describe("[CL10] an owner's online answer", () => {
  const asked = [asPoolId('p1'), asPoolId('p2')];
  const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

  it('keeps only the pools asked, and only lists of ids', () => {
    const got = parseOnlineAnswer(
      bytes({ pools: { p1: ['a', 'b'], p2: ['c', 3], p3: ['x'] } }),
      asked,
    );
    expect([...got]).toEqual([['p1', ['a', 'b']]]);
  });

  it('reads no answer, garbage or a wrong shape as nobody online', () => {
    for (const answer of [
      undefined,
      new TextEncoder().encode('{not json'),
      bytes(null),
      bytes({ pools: 'p1' }),
      bytes({ pools: { p1: 'a' } }),
    ]) {
      expect(parseOnlineAnswer(answer, asked).size).toBe(0);
    }
  });
});
