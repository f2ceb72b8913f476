import { describe, expect, it } from 'vitest';
import { WebRtcOptionsError } from '../src/errors.js';
import { parseIceServers, toRtcIceServers } from '../src/ice-servers.js';

describe('ICE servers', () => {
  it('parses the sync server /v1/ice shape, including coturn REST user names with ":"', () => {
    const urls = parseIceServers([
      { urls: ['stun:stun.example.org:3478', 'stun:[2001:db8::1]:3479'] },
      {
        urls: [
          'turn:turn.example.org:3478?transport=udp',
          'turns:turn.example.org:5349?transport=tcp',
        ],
        username: '1700000000:user-1',
        credential: 'c2VjcmV0/+=',
      },
    ]);
    expect(urls).toEqual([
      { scheme: 'stun', host: 'stun.example.org', port: 3478 },
      { scheme: 'stun', host: '2001:db8::1', port: 3479 },
      {
        scheme: 'turn',
        host: 'turn.example.org',
        port: 3478,
        transport: 'udp',
        username: '1700000000:user-1',
        credential: 'c2VjcmV0/+=',
      },
      {
        scheme: 'turns',
        host: 'turn.example.org',
        port: 5349,
        transport: 'tcp',
        username: '1700000000:user-1',
        credential: 'c2VjcmV0/+=',
      },
    ]);
  });

  it("parses node-datachannel's url strings, with default ports and escaped credentials", () => {
    expect(
      parseIceServers(['stun:127.0.0.1', 'turn:1700000000%3Au:p%40ss@127.0.0.1?transport=tcp']),
    ).toEqual([
      { scheme: 'stun', host: '127.0.0.1', port: 3478 },
      {
        scheme: 'turn',
        host: '127.0.0.1',
        port: 3478,
        transport: 'tcp',
        username: '1700000000:u',
        credential: 'p@ss',
      },
    ]);
  });

  it('refuses urls that cannot work, with INVALID_OPTIONS', () => {
    const bad = [
      'http://example.org',
      'stun:',
      'stun:host:99999',
      'stun:host:3478?transport=udp',
      'turn:host:3478',
      'turn:user@host:3478',
      'turn:%E0%A4%A:x@host',
    ];
    for (const url of bad) {
      expect(() => parseIceServers([url]), url).toThrow(WebRtcOptionsError);
    }
    expect(() => parseIceServers([{ urls: 'turn:host', username: 'u' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('gives a page the W3C form, credentials outside the url', () => {
    const urls = parseIceServers(['stun:[::1]:3478', 'turn:u%3Ax:pw@127.0.0.1:3478?transport=udp']);
    expect(toRtcIceServers(urls)).toEqual([
      { urls: ['stun:[::1]:3478'] },
      { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u:x', credential: 'pw' },
    ]);
  });
});
