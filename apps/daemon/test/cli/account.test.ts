import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { ACCOUNT, DEVICES, NOW } from './fixtures.js';
import { runCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(async () => {
  await api.close();
});

const cli = (...argv: string[]) => runCli([...argv, '--data', api.dataDir], { now: () => NOW });

describe('poolnet register / login / logout', () => {
  it('registers with the name and device given, with the bearer token', async () => {
    api.on('POST /v1/account/register', { body: ACCOUNT });
    const { code, stdout } = await cli('register', '--name', 'Ada', '--device', "Ada's laptop");
    expect(code).toBe(0);
    const [request] = api.calls('POST /v1/account/register');
    expect(request?.body).toEqual({ name: 'Ada', device: "Ada's laptop" });
    expect(request?.authorization).toBe(`Bearer ${api.token}`);
    expect(stdout).toContain('registered Ada on laptop');
  });

  it('names the device after the host when --device is left out', async () => {
    api.on('POST /v1/account/register', { body: ACCOUNT });
    await cli('register', '--name', 'Ada');
    expect(api.calls('POST /v1/account/register')[0]?.body).toEqual({
      name: 'Ada',
      device: hostname(),
    });
  });

  it('needs --name', async () => {
    const { code, stderr } = await cli('register');
    expect(code).toBe(64);
    expect(stderr).toContain('register needs --name NAME');
    expect(api.requests).toEqual([]);
  });

  it('prints the Account as is with --json', async () => {
    api.on('POST /v1/account/login', { body: ACCOUNT });
    const { code, stdout } = await cli('login', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(ACCOUNT);
    expect(api.calls('POST /v1/account/login')[0]?.body).toEqual({});
  });

  it('signs out', async () => {
    api.on('POST /v1/account/logout', { body: { ok: true } });
    const { code, stdout } = await cli('logout');
    expect(code).toBe(0);
    expect(stdout).toBe('signed out\n');
  });
});

describe('poolnet devices / device …', () => {
  it('lists devices in a table with the current marker and the revoked time', async () => {
    api.on('GET /v1/devices', { body: { devices: DEVICES } });
    const { code, stdout } = await cli('devices');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+ID\s+CURRENT\s+REVOKED$/);
    expect(lines[1]).toMatch(/^laptop\s+desktop\s+dev-lapt\s+\*$/);
    expect(lines[2]).toMatch(/^old phone\s+mobile\s+dev-phon\s+\d{4}-\d\d-\d\d \d\d:\d\d$/);
    // Columns line up: TYPE starts at the same place on every line.
    const at = lines.map((line) => line.search(/desktop|mobile|TYPE/));
    expect(new Set(at).size).toBe(1);
  });

  it('shows full ids with --verbose and the answer with --json', async () => {
    api.on('GET /v1/devices', { body: { devices: DEVICES } });
    expect((await cli('devices', '-v')).stdout).toContain('dev-laptop-0001');
    expect(JSON.parse((await cli('devices', '--json')).stdout)).toEqual({ devices: DEVICES });
  });

  it('shows the add-device code big, with its QR and expiry', async () => {
    const answer = {
      code: 'K7PD-QX2M',
      qrPayload: 'poolnet:add-device?code=K7PD-QX2M&server=http%3A%2F%2F127.0.0.1',
      expiresAt: NOW + 10 * 60_000,
    };
    api.on('POST /v1/devices/code', { body: answer });
    const rendered: string[] = [];
    const { code, stdout } = await runCli(['device', 'code', '--data', api.dataDir], {
      now: () => NOW,
      renderQr: (text) => {
        rendered.push(text);
        return Promise.resolve('▄▄▄ QR ▄▄▄');
      },
    });
    expect(code).toBe(0);
    expect(rendered).toEqual([answer.qrPayload]);
    expect(stdout).toContain('▄▄▄ QR ▄▄▄');
    expect(stdout).toContain('code     K7PD-QX2M');
    expect(stdout).toContain('expires  18:10 (in 10m)');
    expect(stdout.split('\n').filter((line) => line.includes('█')).length).toBe(5);
  });

  it('prints the payload when no QR renderer is installed', async () => {
    api.on('POST /v1/devices/code', {
      body: { code: 'AB12-CD34', qrPayload: 'poolnet:add-device?code=AB12-CD34', expiresAt: NOW },
    });
    const { stdout } = await runCli(['device', 'code', '--data', api.dataDir], {
      renderQr: () => Promise.resolve(undefined),
    });
    expect(stdout).toContain('poolnet:add-device?code=AB12-CD34');
  });

  it('links, renames (joining the words) and revokes', async () => {
    api.on('POST /v1/devices/link', { body: { ...ACCOUNT, deviceName: 'phone' } });
    api.on('POST /v1/devices/rename', { body: { device: { ...DEVICES[0], name: 'Ada laptop' } } });
    api.on('POST /v1/devices/revoke', { body: { device: DEVICES[1] } });
    const link = await cli('device', 'link', 'K7PD-QX2M', '--name', 'phone');
    expect(link.stdout).toContain('phone is now a device of Ada');
    expect(api.calls('POST /v1/devices/link')[0]?.body).toEqual({
      code: 'K7PD-QX2M',
      name: 'phone',
    });
    const rename = await cli('device', 'rename', 'dev-laptop-0001', 'Ada', 'laptop');
    expect(rename.stdout).toContain('renamed to Ada laptop');
    expect(api.calls('POST /v1/devices/rename')[0]?.body).toEqual({
      deviceId: 'dev-laptop-0001',
      name: 'Ada laptop',
    });
    const revoke = await cli('device', 'revoke', 'dev-phone-0002', '--json');
    expect(JSON.parse(revoke.stdout)).toEqual({ device: DEVICES[1] });
    expect(api.calls('POST /v1/devices/revoke')[0]?.body).toEqual({ deviceId: 'dev-phone-0002' });
  });
});
