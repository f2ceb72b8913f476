/**
 * The page's NAT verdict from its ICE candidates (ADR 0010), fed candidates as Chromium 156
 * writes them (seen from `RTCPeerConnection` with two STUN urls): mDNS host names, srflx
 * candidates carrying their STUN url and a related address hidden as 0.0.0.0:0, no srflx for
 * an answer Chromium already has on that socket. The same gathering in a real Chromium behind
 * real NATs is apps/daemon/test/nat/browser-nat.nat.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Gathered, type SeenCandidate, natFromCandidates } from '../../src/node/ice-nat.js';

const A = { host: '198.51.100.1', port: 3479 };
const B = { host: '198.51.100.1', port: 3480 };
const URL_A = 'stun:198.51.100.1:3479';
const URL_B = 'stun:198.51.100.1:3480';

const host = (address: string, port: number): SeenCandidate => ({
  type: 'host',
  protocol: 'udp',
  address,
  port,
  relatedAddress: null,
  relatedPort: null,
  url: '',
});
const srflx = (
  url: string,
  address: string,
  port: number,
  related: [string, number] = ['0.0.0.0', 0],
): SeenCandidate => ({
  type: 'srflx',
  protocol: 'udp',
  address,
  port,
  relatedAddress: related[0],
  relatedPort: related[1],
  url,
});
const MDNS = [
  host('faf0e0b5-4939-44fd-8a7e-5e7e62f219b5.local', 55691),
  host('7d3cb45a-b56e-478f-ab92-b726b236d6fb.local', 50559),
];
const gathered = (
  candidates: SeenCandidate[],
  complete = true,
  errors: Gathered['errors'] = [],
): Gathered => ({ candidates, errors, complete });

describe('natFromCandidates, addresses hidden (mDNS host names, the default)', () => {
  it('one srflx and a silent second server once gathering completed: cone (its answer was a duplicate)', () => {
    const v = natFromCandidates([A, B], gathered([...MDNS, srflx(URL_A, '198.51.100.11', 55691)]));
    expect(v).toMatchObject({
      type: 'cone',
      publicAddress: '198.51.100.11:55691',
      directReachable: true,
    });
    // Chromium shows a public address without NAT the same way: the message says so.
    expect(v.message).toMatch(/^cone NAT .*or no NAT at all/);
  });

  it('a srflx per server with different ports: symmetric, reachable only through TURN', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([
        ...MDNS,
        srflx(URL_B, '198.51.100.13', 61001),
        srflx(URL_A, '198.51.100.13', 40123),
      ]),
    );
    expect(v).toMatchObject({
      type: 'symmetric',
      publicAddress: '198.51.100.13:40123',
      directReachable: false,
    });
    expect(v.message).toContain('only through a TURN relay');
  });

  it('the second server still unheard of at the deadline: unknown, not cone', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([...MDNS, srflx(URL_A, '198.51.100.11', 55691)], false),
    );
    expect(v).toMatchObject({ type: 'unknown', publicAddress: '198.51.100.11:55691' });
    expect(v.message).toContain('only one STUN port answered');
  });

  it('the second server failed (icecandidateerror): unknown', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([...MDNS, srflx(URL_A, '203.0.113.4', 1000)], true, [
        { url: URL_B, errorCode: 701 },
      ]),
    );
    expect(v.type).toBe('unknown');
  });

  it('no srflx and no completion by the deadline: blocked', () => {
    const v = natFromCandidates([A, B], gathered(MDNS, false));
    expect(v).toMatchObject({ type: 'blocked', publicAddress: null, directReachable: false });
  });

  it('both servers failed: blocked', () => {
    const v = natFromCandidates(
      [A, B],
      gathered(MDNS, true, [
        { url: URL_A, errorCode: 701 },
        { url: URL_B, errorCode: 701 },
      ]),
    );
    expect(v.type).toBe('blocked');
  });

  it('answers that left no candidate while the own address is hidden: unknown, said plainly', () => {
    const v = natFromCandidates([A, B], gathered(MDNS));
    expect(v).toMatchObject({ type: 'unknown', publicAddress: null, directReachable: true });
    expect(v.message).toContain('neither');
  });
});

describe('natFromCandidates, addresses visible', () => {
  it('no srflx at all after completion, the host on a public address: no NAT', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([host('198.51.100.20', 5000), host('[2001:db8::20]', 5002)]),
    );
    expect(v).toMatchObject({
      type: 'none',
      publicAddress: '198.51.100.20:5000',
      directReachable: true,
    });
  });

  it('one srflx from a private host: cone, without the hidden-address caveat', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([
        host('10.1.0.2', 40000),
        srflx(URL_A, '198.51.100.11', 40000, ['10.1.0.2', 40000]),
      ]),
    );
    expect(v).toMatchObject({ type: 'cone', publicAddress: '198.51.100.11:40000' });
    expect(v.message).not.toContain('hides');
  });

  it("another interface's srflx is not compared with the first socket's", () => {
    const wifi: [string, number] = ['10.1.0.2', 40000];
    const vpn: [string, number] = ['10.8.0.5', 50000];
    const candidates = [
      host('10.1.0.2', 40000),
      host('10.8.0.5', 50000),
      srflx(URL_A, '198.51.100.11', 40000, wifi),
      srflx(URL_A, '203.0.113.9', 7000, vpn),
      srflx(URL_B, '203.0.113.9', 7001, vpn),
    ];
    expect(natFromCandidates([A, B], gathered(candidates)).type).toBe('cone');
    const symmetric = [
      ...candidates.slice(0, 3),
      srflx(URL_B, '198.51.100.11', 40001, wifi),
      srflx(URL_A, '203.0.113.9', 7000, vpn),
    ];
    expect(natFromCandidates([A, B], gathered(symmetric))).toMatchObject({
      type: 'symmetric',
      publicAddress: '198.51.100.11:40000',
    });
  });

  it('an IPv6 server matches its bracketed url and host candidate', () => {
    const v6 = { host: '2001:db8::1', port: 3479 };
    const v = natFromCandidates(
      [v6],
      gathered([
        host('[2001:db8::20]', 6000),
        srflx('stun:[2001:db8:0::1]:3479', '[2001:db8::20]', 6000, ['2001:db8::20', 6000]),
      ]),
    );
    expect(v).toMatchObject({ type: 'none', publicAddress: '[2001:db8::20]:6000' });
  });
});

describe('natFromCandidates, edges', () => {
  it('a srflx from a server not asked about does not count', () => {
    const v = natFromCandidates(
      [A, B],
      gathered([...MDNS, srflx('stun:203.0.113.1:3478', '198.51.100.11', 1)], false),
    );
    expect(v.type).toBe('blocked');
  });

  it('no UDP candidate at all: unknown (WebRTC restricted), not blocked', () => {
    const v = natFromCandidates([A, B], gathered([]));
    expect(v.type).toBe('unknown');
    expect(v.message).toContain('no UDP candidates');
  });

  it('no STUN server: unknown', () => {
    expect(natFromCandidates([], gathered(MDNS)).type).toBe('unknown');
  });
});
