import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IceError } from '../../src/ice/errors.js';
import { buildIceConfig, type IceSettings } from '../../src/ice/ice-config.js';

const request = { userId: 'device-7', nowMs: 1_700_000_000_000 };
const stun = [{ host: 'sync.example.org', port: 3478 }];

describe('ICE config', () => {
  it('[ICE11] lists STUN, then TURN udp/tcp/turns with coturn credentials and the expiry', () => {
    const config = buildIceConfig(
      {
        stun,
        turn: { host: 'turn.example.org', port: 3478, tlsPort: 5349, secret: 'k', ttlSeconds: 600 },
      },
      request,
    );
    const username = '1700000600:device-7';
    expect(config).toEqual({
      iceServers: [
        { urls: ['stun:sync.example.org:3478'] },
        {
          urls: [
            'turn:turn.example.org:3478?transport=udp',
            'turn:turn.example.org:3478?transport=tcp',
            'turns:turn.example.org:5349?transport=tcp',
          ],
          username,
          credential: createHmac('sha1', 'k').update(username).digest('base64'),
        },
      ],
      expiresAtSeconds: 1_700_000_600,
    });
  });

  it('[ICE11] offers no turns: url without a TLS port, and brackets IPv6 literals', () => {
    const config = buildIceConfig(
      {
        stun: [
          { host: '203.0.113.5', port: 3478 },
          { host: '2001:db8::5', port: 3478 },
        ],
        turn: { host: '2001:db8::6', port: 3479, secret: 'k', ttlSeconds: 60 },
      },
      request,
    );
    expect(config.iceServers[0]?.urls).toEqual([
      'stun:203.0.113.5:3478',
      'stun:[2001:db8::5]:3478',
    ]);
    expect(config.iceServers[1]?.urls).toEqual([
      'turn:[2001:db8::6]:3479?transport=udp',
      'turn:[2001:db8::6]:3479?transport=tcp',
    ]);
  });

  it('[ICE12] without a TURN secret (absent or empty) only STUN is offered, with no expiry', () => {
    const turn = { host: 'turn.example.org', port: 3478, ttlSeconds: 600 };
    for (const settings of [
      { stun },
      { stun, turn },
      { stun, turn: { ...turn, secret: '' } },
    ] satisfies IceSettings[]) {
      const config = buildIceConfig(settings, request);
      expect(config).toEqual({ iceServers: [{ urls: ['stun:sync.example.org:3478'] }] });
      expect(JSON.stringify(config)).not.toContain('turn:');
    }
  });

  it('[ICE13] refuses a bad host, a port out of range and a bad ttl', () => {
    const bad: IceSettings[] = [
      { stun: [{ host: '', port: 3478 }] },
      { stun: [{ host: 'sync.example.org/x', port: 3478 }] },
      { stun: [{ host: 'sync.example.org', port: 0 }] },
      { stun: [{ host: 'sync.example.org', port: 65536 }] },
      { stun, turn: { host: 'turn example', port: 3478, secret: 'k', ttlSeconds: 60 } },
      {
        stun,
        turn: { host: 't.example.org', port: 3478, tlsPort: -1, secret: 'k', ttlSeconds: 60 },
      },
      { stun, turn: { host: 't.example.org', port: 3478, secret: 'k', ttlSeconds: 0 } },
    ];
    for (const settings of bad) {
      expect(() => buildIceConfig(settings, request)).toThrow(IceError);
      try {
        buildIceConfig(settings, request);
      } catch (error) {
        expect((error as IceError).code).toBe('INVALID_CONFIG');
      }
    }
  });
});
