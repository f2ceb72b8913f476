import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { STATUS } from './fixtures.js';
import { runCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(async () => {
  await api.close();
});

describe('poolnet status', () => {
  it('shows the server, the account and each pool with position and links', async () => {
    api.on('GET /v1/status', { body: STATUS });
    const { code, stdout } = await runCli(['status', '--data', api.dataDir]);
    expect(code).toBe(0);
    expect(api.calls('GET /v1/status')[0]?.authorization).toBe(`Bearer ${api.token}`);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'server   http://127.0.0.1:8080  connected',
      'account  Ada on laptop',
      'data     /tmp/poolnet-data',
      'nat      not checked yet',
    ]);
    expect(lines[5]).toMatch(/^POOL\s+JOINED\s+POSITION\s+LINKS$/);
    expect(lines[6]?.split(/\s{2,}/)).toEqual([
      'Family',
      'yes',
      '[0,1] slot 2',
      'dev-bob- webrtc, dev-caro tcp (opening)',
    ]);
    expect(lines[7]?.split(/\s{2,}/)).toEqual(['Work', 'no', '-', 'none']);
  });

  it('shows the NAT check and which links a TURN relay carries', async () => {
    const family = STATUS.pools[0]!;
    api.on('GET /v1/status', {
      body: {
        ...STATUS,
        nat: {
          type: 'symmetric',
          publicAddress: '198.51.100.13:40001',
          directReachable: false,
          message:
            'symmetric NAT: devices behind other NATs reach this one only through a TURN relay',
          checkedAt: 1,
        },
        pools: [
          {
            ...family,
            links: [
              { peer: 'dev-bob-0004', transport: 'webrtc', open: true, relayed: true },
              { peer: 'dev-carol-0005', transport: 'webrtc', open: true, relayed: false },
            ],
          },
        ],
      },
    });
    const { stdout } = await runCli(['status', '--data', api.dataDir]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[3]).toBe(
      'nat      symmetric  symmetric NAT: devices behind other NATs reach this one only through a TURN relay',
    );
    expect(lines[6]?.split(/\s{2,}/).at(-1)).toBe(
      'dev-bob- webrtc (relayed via TURN), dev-caro webrtc',
    );
  });

  it('says how to sign in when there is no account', async () => {
    api.on('GET /v1/status', {
      body: {
        ...STATUS,
        userId: null,
        deviceId: null,
        displayName: null,
        deviceName: null,
        server: { url: 'http://127.0.0.1:8080', connected: false },
        pools: [],
      },
    });
    const { stdout } = await runCli(['status', '--data', api.dataDir]);
    expect(stdout).toContain('not connected');
    expect(stdout).toContain('not signed in: poolnet register --name NAME, or poolnet login');
  });

  it('prints the Status object as is with --json', async () => {
    api.on('GET /v1/status', { body: STATUS });
    const { stdout } = await runCli(['status', '--json', '--data', api.dataDir]);
    expect(JSON.parse(stdout)).toEqual(STATUS);
  });

  it('colours only on a terminal without NO_COLOR', async () => {
    api.on('GET /v1/status', { body: STATUS });
    const { Capture } = await import('./run-cli.js');
    const tty = new Capture(true);
    await runCli(['status', '--data', api.dataDir], { stdout: tty });
    expect(tty.text).toContain('\u001b[32mconnected\u001b[39m');
    const noColor = new Capture(true);
    await runCli(['status', '--data', api.dataDir], { stdout: noColor, env: { NO_COLOR: '1' } });
    expect(noColor.text).not.toContain('\u001b[');
  });
});
