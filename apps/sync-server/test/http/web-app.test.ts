import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from './fixture.js';

/** A GET with the path sent as written (fetch would resolve `..` before sending). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
let web: TestServer;
let bare: TestServer;
let unbuilt: TestServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-webapp-'));
  const dir = join(root, 'dist');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'not for the web');
  const rp = { id: 'localhost', name: 'Poolnet test', origins: ['http://localhost:5173'] };
  web = await startTestServer({ config: { webDir: dir, rp } });
  bare = await startTestServer();
  unbuilt = await startTestServer({ config: { webDir: join(root, 'missing') } });
});

afterAll(async () => {
  await Promise.all([web, bare, unbuilt].map((t) => t?.close()));
  await rm(root, { recursive: true, force: true });
});

describe('the browser node page', () => {
  it('[HTTP23] serves the built UI, app routes as index.html and the app config', async () => {
    const url = web.server.url;
    const host = { host: 'localhost:5173' };
    const index = await rawGet(url, '/join', host);
    expect(index.status).toBe(200);
    expect(index.text).toContain('<div id="root">');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain(
      "connect-src 'self' ws://localhost:5173",
    );
    const asset = await rawGet(url, '/assets/app-1234.js', host);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await rawGet(url, '/assets/gone.js', host)).status).toBe(404);
    const config = await rawGet(url, '/app-config.json', host);
    expect(JSON.parse(config.text)).toEqual({
      mode: 'browser',
      serverUrl: 'http://localhost:5173',
    });
  });

  it('[HTTP23] never serves a file outside the folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await rawGet(web.server.url, path, { host: 'localhost:5173' });
      expect(res.text).not.toContain('not for the web');
    }
  });

  it('[HTTP23] sends pages asked for under another name to the relying party host', async () => {
    const res = await rawGet(web.server.url, '/join', { host: '127.0.0.1:5173' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://localhost:5173/join');
    // A name with no allowed origin on the id gets the page (passkeys just will not work there).
    expect((await rawGet(web.server.url, '/join', { host: 'example.test:80' })).status).toBe(200);
  });

  it('[HTTP23] API paths stay JSON; without webDir nothing changes; unbuilt says so', async () => {
    const api = await rawGet(web.server.url, '/v1/nope', { host: 'localhost:5173' });
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text).error.code).toBe('NOT_FOUND');
    const none = await rawGet(bare.server.url, '/join');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.text).error.code).toBe('NOT_FOUND');
    const missing = await rawGet(unbuilt.server.url, '/', { host: 'localhost:5173' });
    expect(missing.status).toBe(503);
    expect(missing.text).toContain('npm run build:web');
  });
});
