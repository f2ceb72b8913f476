import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDialable, localCandidates, mergeCandidates, MAX_CANDIDATES } from '../src/candidates.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;

const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::20', 'IPv6')],
  wlan0: [nic('10.0.0.5', 'IPv4'), nic('192.168.1.20', 'IPv4')],
};

describe('TCP candidates', () => {
  it('advertise the bound address itself when it is not a wildcard', () => {
    expect(localCandidates('127.0.0.1', 4000, interfaces)).toEqual([
      { host: '127.0.0.1', port: 4000 },
    ]);
  });

  it('advertise external interface addresses for a wildcard, without link-local or repeats', () => {
    expect(localCandidates('0.0.0.0', 4000, interfaces)).toEqual([
      { host: '192.168.1.20', port: 4000 },
      { host: '10.0.0.5', port: 4000 },
    ]);
    expect(localCandidates('::', 4000, interfaces)).toEqual([
      { host: '192.168.1.20', port: 4000 },
      { host: '2001:db8::20', port: 4000 },
      { host: '10.0.0.5', port: 4000 },
    ]);
  });

  it('fall back to loopback when the machine has nothing else', () => {
    expect(localCandidates('0.0.0.0', 5, { lo: interfaces.lo })).toEqual([
      { host: '127.0.0.1', port: 5 },
    ]);
  });

  it('merge extra candidates after the local ones, valid only, at most the limit', () => {
    const local = [{ host: '10.0.0.5', port: 1 }];
    const extra = [
      { host: '203.0.113.9', port: 40000 },
      { host: 'example.org', port: 1 },
      { host: '10.0.0.5', port: 1 },
      ...Array.from({ length: 30 }, (_, i) => ({ host: '198.51.100.1', port: 2000 + i })),
    ];
    const merged = mergeCandidates(local, extra);
    expect(merged.slice(0, 2)).toEqual([local[0], extra[0]]);
    expect(merged).toHaveLength(MAX_CANDIDATES);
  });

  it('dial unicast IP literals with a valid port only', () => {
    for (const host of ['127.0.0.1', '192.168.0.1', '::1', '2001:db8::1']) {
      expect(isDialable({ host, port: 443 })).toBe(true);
    }
    for (const host of ['0.0.0.0', '255.255.255.255', '224.0.0.1', '::', 'ff02::1', 'localhost']) {
      expect(isDialable({ host, port: 443 })).toBe(false);
    }
    for (const port of [0, -1, 65536, 1.5, NaN]) {
      expect(isDialable({ host: '127.0.0.1', port })).toBe(false);
    }
  });
});
