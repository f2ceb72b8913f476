/**
 * The NAT verdict (ADR 0010) case by case: what two STUN answers for one socket say about the
 * NAT in front of it, and which urls of an ICE list are STUN responders. The daemon's UDP check
 * (apps/daemon/test/nat-check.test.ts) and the page's candidate reading
 * (apps/web/test/node/ice-nat.test.ts) build their observations for this.
 */
import { describe, expect, it } from 'vitest';
import { type NatObservation, classifyNat, stunTargets, stunUrl } from '../src/index.js';

const A = { host: '198.51.100.1', port: 3479 };
const B = { host: '198.51.100.1', port: 3480 };
const LOCAL = ['127.0.0.1', '10.1.0.2'];

function observe(...mapped: Array<{ address: string; port: number } | undefined>): NatObservation {
  return {
    localPort: 5000,
    localAddresses: LOCAL,
    answers: mapped.map((m, i) => ({ server: i === 0 ? A : B, mapped: m })),
  };
}

describe('classifyNat', () => {
  it('two equal mappings from behind a NAT: cone, reachable directly', () => {
    const v = classifyNat(
      observe({ address: '198.51.100.11', port: 5000 }, { address: '198.51.100.11', port: 5000 }),
    );
    expect(v).toMatchObject({ type: 'cone', directReachable: true });
    expect(v.publicAddress).toBe('198.51.100.11:5000');
  });

  it('a new mapping per destination: symmetric, reachable only through TURN', () => {
    const v = classifyNat(
      observe({ address: '198.51.100.13', port: 40001 }, { address: '198.51.100.13', port: 51234 }),
    );
    expect(v).toMatchObject({ type: 'symmetric', directReachable: false });
    expect(v.message).toContain('TURN');
  });

  it('a different public address per destination is symmetric too', () => {
    const v = classifyNat(
      observe({ address: '203.0.113.1', port: 5000 }, { address: '203.0.113.2', port: 5000 }),
    );
    expect(v.type).toBe('symmetric');
  });

  it('the mapped address is the socket itself: no NAT', () => {
    const v = classifyNat(
      observe({ address: '10.1.0.2', port: 5000 }, { address: '10.1.0.2', port: 5000 }),
    );
    expect(v).toMatchObject({ type: 'none', directReachable: true });
  });

  it('an own address but another port is a NAT (port translation), not none', () => {
    const v = classifyNat(
      observe({ address: '10.1.0.2', port: 6000 }, { address: '10.1.0.2', port: 6000 }),
    );
    expect(v.type).toBe('cone');
  });

  it('no answer at all: blocked, not directly reachable', () => {
    const v = classifyNat(observe(undefined, undefined));
    expect(v).toMatchObject({ type: 'blocked', publicAddress: null, directReachable: false });
  });

  it('one answer from behind a NAT cannot tell cone from symmetric: unknown', () => {
    expect(classifyNat(observe({ address: '203.0.113.1', port: 7 }, undefined)).type).toBe(
      'unknown',
    );
    expect(classifyNat(observe({ address: '203.0.113.1', port: 7 })).type).toBe('unknown');
  });

  it('one answer equal to the socket: none', () => {
    expect(classifyNat(observe({ address: '127.0.0.1', port: 5000 })).type).toBe('none');
  });

  it('no STUN server at all: unknown', () => {
    expect(classifyNat({ localPort: 1, localAddresses: LOCAL, answers: [] }).type).toBe('unknown');
  });

  it('IPv6 spellings of one address compare equal', () => {
    const v = classifyNat({
      localPort: 5000,
      localAddresses: ['2001:db8::1'],
      answers: [{ server: A, mapped: { address: '2001:db8:0:0:0:0:0:1', port: 5000 } }],
    });
    expect(v.type).toBe('none');
  });
});

describe('stunTargets', () => {
  it('takes the stun: urls in order and skips TURN and junk', () => {
    expect(
      stunTargets([
        { urls: ['stun:198.51.100.1:3479', 'stun:198.51.100.1:3480'] },
        { urls: ['turn:198.51.100.1:3478?transport=udp'], username: 'u', credential: 'c' },
        { urls: 'stun:[2001:db8::1]:3478' },
        { urls: ['stun:nohost', 'stun:h:99999', 7] },
        null,
        'stun:bare:1',
      ]),
    ).toEqual([A, B, { host: '2001:db8::1', port: 3478 }]);
  });
});

describe('stunUrl', () => {
  it('writes a target back as the url stunTargets reads (IPv6 in brackets)', () => {
    const targets = [A, { host: '2001:db8::1', port: 3478 }, { host: 'stun.example', port: 9 }];
    expect(targets.map(stunUrl)).toEqual([
      'stun:198.51.100.1:3479',
      'stun:[2001:db8::1]:3478',
      'stun:stun.example:9',
    ]);
    expect(stunTargets([{ urls: targets.map(stunUrl) }])).toEqual(targets);
  });
});
