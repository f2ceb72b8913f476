/**
 * What the web UI needs of the local API, through HTTP against real daemons and a real sync
 * server: the static UI and its config without a token, the Host check, settings, pool
 * administration, invites, uploads, file bytes with ranges, and reveal.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Device, Devices, offerOn } from './devices.js';

let bench: Devices;
let ann: Device;
let ben: Device;
let pool: string;
let webDir: string;
const savedEnv = { web: process.env.POOLNET_WEB_DIR, opener: process.env.POOLNET_OPENER };

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'poolnet-webdir-'));
  await mkdir(join(webDir, 'assets'));
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Poolnet</title>');
  await writeFile(join(webDir, 'assets', 'app-1234.js'), 'console.log(1)');
  process.env.POOLNET_WEB_DIR = webDir;
  bench = await Devices.start();
  ann = await bench.device('Ann');
  ben = await bench.device('Ben');
  pool = await bench.pool(ann, [ben], 'Garden');
}, 120_000);

afterAll(async () => {
  process.env.POOLNET_WEB_DIR = savedEnv.web;
  process.env.POOLNET_OPENER = savedEnv.opener;
  await bench?.close();
  await rm(webDir, { recursive: true, force: true });
});

const base = (d: Device) => `http://127.0.0.1:${d.daemon.port}`;
const token = async (d: Device) => (await readFile(join(d.dir, 'api-token'), 'utf8')).trim();

/** A raw GET with a chosen Host header (fetch may not let one set it). */
function getWithHost(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('the web UI on the local API port', () => {
  it('serves the built UI without a token, with a strict CSP, and index.html for app routes', async () => {
    const root = await fetch(`${base(ann)}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = root.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await root.text()).toContain('<title>Poolnet</title>');

    const asset = await fetch(`${base(ann)}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await asset.text()).toBe('console.log(1)');

    const route = await fetch(`${base(ann)}/pools/${pool}`);
    expect(await route.text()).toContain('<title>Poolnet</title>');
    expect((await fetch(`${base(ann)}/assets/missing.js`)).status).toBe(404);
    // No way out of the web folder.
    const escape = await fetch(`${base(ann)}/..%2f..%2fapi-token`);
    expect(await escape.text()).not.toContain(await token(ann));

    const config = await fetch(`${base(ann)}/app-config.json`);
    expect(await config.json()).toEqual({ mode: 'desktop' });
    // The API itself still wants the token.
    expect((await fetch(`${base(ann)}/v1/status`)).status).toBe(401);
  });

  it('refuses other Host names (DNS rebinding)', async () => {
    const port = ann.daemon.port;
    expect(await getWithHost(port, '/', `127.0.0.1:${port}`)).toBe(200);
    expect(await getWithHost(port, '/', `localhost:${port}`)).toBe(200);
    expect(await getWithHost(port, '/', `evil.example:${port}`)).toBe(400);
    expect(await getWithHost(port, '/v1/status', `rebound.example:${port}`)).toBe(400);
  });

  it('prints the UI address with the token in the fragment', async () => {
    expect(ann.daemon.uiUrl).toBe(`${base(ann)}/#token=${await token(ann)}`);
  });
});

describe('settings', () => {
  it('reads, changes and keeps the settings; the device name goes through the server', async () => {
    const before = await ann.api.ok('GET', '/v1/settings');
    expect(before).toMatchObject({
      displayName: 'Ann',
      downloadsDir: join(ann.dir, 'downloads'),
      cacheSizeBytes: 256 * 1024 * 1024,
      autoFetchImagesBytes: 16 * 1024 * 1024,
    });
    const downloads = join(bench.root, 'ann-downloads');
    const after = await ann.api.ok('POST', '/v1/settings', {
      downloadsDir: downloads,
      cacheSizeBytes: 1024,
      autoFetchImagesBytes: 0,
      deviceName: 'Ann desk',
    });
    expect(after).toMatchObject({
      downloadsDir: downloads,
      cacheSizeBytes: 1024,
      autoFetchImagesBytes: 0,
      deviceName: 'Ann desk',
    });
    expect(JSON.parse(await readFile(join(ann.dir, 'settings.json'), 'utf8'))).toEqual({
      downloadsDir: downloads,
      cacheSizeBytes: 1024,
      autoFetchImagesBytes: 0,
    });
    expect((await ann.api.ok('GET', '/v1/status')).deviceName).toBe('Ann desk');
    const { devices } = await ann.api.ok('GET', '/v1/devices');
    expect(devices.find((d: { current: boolean }) => d.current).name).toBe('Ann desk');

    // Kept across a restart.
    await bench.stop(ann);
    await bench.restart(ann);
    expect(await ann.api.ok('GET', '/v1/settings')).toMatchObject({
      downloadsDir: downloads,
      cacheSizeBytes: 1024,
    });
  });

  it('refuses bad values with clear errors and changes nothing', async () => {
    const bad = await ann.api.call('POST', '/v1/settings', {
      cacheSizeBytes: -1,
      autoFetchImagesBytes: 5,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('BAD_REQUEST');
    expect((await ann.api.ok('GET', '/v1/settings')).autoFetchImagesBytes).toBe(0);
    const relative = await ann.api.call('POST', '/v1/settings', { downloadsDir: 'here' });
    expect(relative.json.error).toMatchObject({ code: 'BAD_REQUEST' });
    const tooLong = await ann.api.call('POST', '/v1/settings', { displayName: 'A'.repeat(200) });
    expect(tooLong.status).toBeGreaterThanOrEqual(400);
    expect((await ann.api.ok('GET', '/v1/status')).displayName).not.toBe('A'.repeat(200));
  });

  it('changes the display name on the sync server, where other members read it', async () => {
    const settings = await ann.api.ok('POST', '/v1/settings', { displayName: 'Annie' });
    expect(settings.displayName).toBe('Annie');
    expect((await ann.api.ok('GET', '/v1/status')).displayName).toBe('Annie');
    const { members } = await ann.api.ok('GET', `/v1/pools/members?pool=${pool}`);
    expect(members.map((m: { displayName: string }) => m.displayName)).toContain('Annie');
    await ann.api.ok('POST', '/v1/settings', { displayName: 'Ann' });
  });
});

describe('pool administration and invites', () => {
  it('renames a pool (owner only), lists and revokes invites', async () => {
    const renamed = await ann.api.ok('POST', '/v1/pools/rename', { pool, name: 'Orchard' });
    expect(renamed.pool).toMatchObject({ id: pool, name: 'Orchard' });
    // The store hides another user's pool from owner-only changes: NOT_FOUND.
    const refused = await ben.api.call('POST', '/v1/pools/rename', { pool, name: 'Mine' });
    expect(refused.status).toBe(404);
    const { pools } = await ben.api.ok('GET', '/v1/pools');
    expect(pools.find((p: { id: string }) => p.id === pool).name).toBe('Orchard');

    const invite = await ann.api.ok('POST', '/v1/pools/invite', { pool, uses: 3 });
    const listed = await ann.api.ok('GET', `/v1/invites?pool=${pool}`);
    const view = listed.invites.find((i: { id: string }) => i.id === invite.inviteId);
    expect(view).toMatchObject({ maxUses: 3, uses: 0, revoked: false, link: null });
    await ann.api.ok('POST', '/v1/invites/revoke', { pool, inviteId: invite.inviteId });
    const again = await ann.api.ok('GET', `/v1/invites?pool=${pool}`);
    expect(again.invites.find((i: { id: string }) => i.id === invite.inviteId).revoked).toBe(true);
    const unknown = await ann.api.call('POST', '/v1/invites/revoke', { pool, inviteId: 'nope' });
    expect(unknown.status).toBe(404);
  });

  it('changes the pool limits and removes a member (owner only)', async () => {
    const changed = await ann.api.ok('POST', '/v1/pools/settings', { pool, maxTextBytes: 2000 });
    expect(changed.pool.settings.maxTextBytes).toBe(2000);
    // Every member's pool list carries the current limits (the owner's settings form opens
    // with them).
    for (const device of [ann, ben]) {
      const { pools } = await device.api.ok('GET', '/v1/pools');
      const listed = pools.find((p: { id: string }) => p.id === pool);
      expect(listed.settings).toEqual({
        maxTextBytes: 2000,
        maxFileBytes: changed.pool.settings.maxFileBytes,
      });
    }
    const cat = await bench.device('Cat');
    const invite = await ann.api.ok('POST', '/v1/pools/invite', { pool });
    await cat.api.ok('POST', '/v1/pools/join', { link: invite.link });
    const catId = (await cat.api.ok('GET', '/v1/status')).userId;
    expect(
      (await ben.api.call('POST', '/v1/pools/remove-member', { pool, userId: catId })).status,
    ).toBe(403);
    await ann.api.ok('POST', '/v1/pools/remove-member', { pool, userId: catId });
    const { members } = await ann.api.ok('GET', `/v1/pools/members?pool=${pool}`);
    expect(members.map((m: { displayName: string }) => m.displayName).sort()).toEqual([
      'Ann',
      'Ben',
    ]);
  });
});

describe('files from the page', () => {
  it('uploads a file (name made safe), shares it, and serves its bytes with ranges', async () => {
    const data = Buffer.from('0123456789'.repeat(1000));
    const res = await fetch(
      `${base(ann)}/v1/files/upload?pool=${pool}&name=${encodeURIComponent('../../notes.txt')}`,
      { method: 'POST', headers: { authorization: `Bearer ${await token(ann)}` }, body: data },
    );
    expect(res.status).toBe(200);
    const { file } = (await res.json()) as { file: { id: string; name: string; size: number } };
    expect(file.name).toBe('_.._notes.txt');
    expect(file.size).toBe(data.length);
    const seen = await offerOn(ben, pool, file.id);
    expect(seen.name).toBe(file.name);

    const url = `${base(ann)}/v1/files/content?pool=${pool}&file=${file.id}`;
    const auth = { authorization: `Bearer ${await token(ann)}` };
    const whole = await fetch(url, { headers: auth });
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    const part = await fetch(url, { headers: { ...auth, range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${data.length}`);
    expect(await part.text()).toBe('0123456789');
    const tail = await fetch(url, { headers: { ...auth, range: 'bytes=-3' } });
    expect(await tail.text()).toBe('789');
    const beyond = await fetch(url, { headers: { ...auth, range: `bytes=${data.length}-` } });
    expect(beyond.status).toBe(416);

    // Ben does not hold it: a clear 404, not a crash.
    const missing = await ben.api.call('GET', `/v1/files/content?pool=${pool}&file=${file.id}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    expect(basename(file.name)).toBe(file.name);
  });

  it('needs the token and a pool for uploads', async () => {
    const anon = await fetch(`${base(ann)}/v1/files/upload?pool=${pool}&name=a.txt`, {
      method: 'POST',
      body: 'x',
    });
    expect(anon.status).toBe(401);
    const noPool = await fetch(`${base(ann)}/v1/files/upload?name=a.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(ann)}` },
      body: 'x',
    });
    expect(noPool.status).toBe(400);
  });

  it('reveal answers UNSUPPORTED when no file manager is installed', async () => {
    process.env.POOLNET_OPENER = 'poolnet-no-such-opener';
    const res = await ann.api.call('POST', '/v1/files/reveal', { path: ann.dir });
    expect(res.status).toBe(501);
    expect(res.json.error).toMatchObject({ code: 'UNSUPPORTED' });
    expect(res.json.error.message).toContain('poolnet-no-such-opener');
    const relative = await ann.api.call('POST', '/v1/files/reveal', { path: 'x' });
    expect(relative.status).toBe(400);
  });
});
