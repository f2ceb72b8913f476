/**
 * Passkeys end to end in real Chromium: a page on the server's origin registers with a CDP
 * virtual authenticator, signs out, signs in again with the discoverable credential, and
 * adds a second device (a second browser profile with its own authenticator) by code.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolnetServer } from '../../src/api/compose.js';
import { parseServerConfig } from '../../src/http/config.js';
import type { SyncServer } from '../../src/http/server.js';
import { freePort } from '../cluster/harness.js';
import { type ChromiumProfile, addVirtualAuthenticator, launchChromium } from './chromium.js';

const require = createRequire(import.meta.url);

/** The page's helpers: JSON calls on its own origin and the two WebAuthn ceremonies. */
const PAGE_SCRIPT = `
window.api = async (path, body, token) => {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  return { status: res.status, body: await res.json() };
};
window.get = async (path, token) => {
  const res = await fetch(path, { headers: { authorization: 'Bearer ' + token } });
  return { status: res.status, body: await res.json() };
};
window.registerPasskey = async (beginPath, finishPath, beginBody) => {
  const begin = await api(beginPath, beginBody);
  if (begin.status !== 200) return begin;
  const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: begin.body.options });
  return api(finishPath, { challengeId: begin.body.challengeId, response });
};
window.signIn = async () => {
  const begin = await api('/v1/auth/sign-in/begin');
  const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: begin.body.options });
  return api('/v1/auth/sign-in/finish', { challengeId: begin.body.challengeId, response });
};
`;

/** What PAGE_SCRIPT defines on the page (the tests' lib has no DOM types). */
interface PageApi {
  api(path: string, body?: unknown, token?: string): Promise<Reply>;
  get(path: string, token: string): Promise<Reply>;
  registerPasskey(beginPath: string, finishPath: string, beginBody: unknown): Promise<Reply>;
  signIn(): Promise<Reply>;
}

interface Reply {
  status: number;
  // Replies are checked field by field with `expect`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

let server: SyncServer;
let dataDir: string;
let origin: string;
let bundle: string;
const profiles: ChromiumProfile[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'poolnet-webauthn-'));
  const port = await freePort();
  // `localhost` is a secure context and a valid relying-party id; the page lives on it.
  origin = `http://localhost:${String(port)}`;
  const config = parseServerConfig({
    port,
    host: '127.0.0.1',
    dataDir,
    stun: { port: 0, host: '127.0.0.1' },
    rp: { id: 'localhost', name: 'Poolnet', origins: [origin] },
  });
  server = await startPoolnetServer(config);
  // The package's UMD build defines the global `SimpleWebAuthnBrowser`.
  const browserEntry = require.resolve('@simplewebauthn/browser');
  bundle = await readFile(
    browserEntry.replace(/script[/\\]index\.js$/, 'dist/bundle/index.umd.min.js'),
    'utf8',
  );
});

afterAll(async () => {
  for (const profile of profiles) await profile.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A new browser profile with its own passkey authenticator, on a page of the server's origin. */
async function devicePage(): Promise<{ page: Page; credentials: () => Promise<number> }> {
  const profile = await launchChromium();
  profiles.push(profile);
  const page = await profile.context.newPage();
  // Only the page itself is stubbed; every fetch it makes goes to the real server.
  await page.route(`${origin}/e2e`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>e2e</title><script>${bundle}</script><script>${PAGE_SCRIPT}</script>`,
    }),
  );
  await page.goto(`${origin}/e2e`);
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  return {
    page,
    credentials: async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length,
  };
}

describe('WebAuthn in Chromium with a virtual authenticator', () => {
  it('[AUTH16] registers, signs out, signs in again and adds a second device by code', async () => {
    const laptop = await devicePage();
    const registered = (await laptop.page.evaluate(() =>
      (globalThis as unknown as PageApi).registerPasskey(
        '/v1/auth/register/begin',
        '/v1/auth/register/finish',
        {
          displayName: 'Ada',
          deviceName: 'Ada laptop',
          deviceType: 'desktop',
        },
      ),
    )) as Reply;
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    expect(registered.body).toMatchObject({
      userId: expect.any(String),
      deviceId: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    expect(await laptop.credentials()).toBe(1);
    const { userId, deviceId } = registered.body as { userId: string; deviceId: string };

    // The new account has its home pool.
    const pools = (await laptop.page.evaluate(
      (token) => (globalThis as unknown as PageApi).get('/v1/pools', token),
      registered.body.accessToken as string,
    )) as Reply;
    expect(
      pools.body.pools.filter((p: { pool: { isHome: boolean } }) => p.pool.isHome),
    ).toHaveLength(1);

    const signedOut = (await laptop.page.evaluate(
      (token) => (globalThis as unknown as PageApi).api('/v1/auth/sign-out', {}, token),
      registered.body.accessToken as string,
    )) as Reply;
    expect(signedOut.status).toBe(200);
    const afterSignOut = (await laptop.page.evaluate(
      (token) => (globalThis as unknown as PageApi).get('/v1/devices', token),
      registered.body.accessToken as string,
    )) as Reply;
    expect(afterSignOut.status).toBe(401);
    expect(afterSignOut.body.error.code).toEqual(expect.any(String));

    // Sign in with the discoverable credential: same user, same device.
    const signedIn = (await laptop.page.evaluate(() =>
      (globalThis as unknown as PageApi).signIn(),
    )) as Reply;
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body).toMatchObject({ userId, deviceId });

    // Add a phone: the laptop asks for a code, the phone registers its own passkey with it.
    const code = (await laptop.page.evaluate(
      (token) => (globalThis as unknown as PageApi).api('/v1/devices/code', {}, token),
      signedIn.body.accessToken as string,
    )) as Reply;
    expect(code.status).toBe(200);
    expect(code.body.qrPayload).toContain(code.body.code);

    const phone = await devicePage();
    const linked = (await phone.page.evaluate(
      (c) =>
        (globalThis as unknown as PageApi).registerPasskey(
          '/v1/devices/link/begin',
          '/v1/devices/link/finish',
          {
            code: c,
            deviceName: 'Ada phone',
            deviceType: 'mobile',
          },
        ),
      code.body.code as string,
    )) as Reply;
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body.userId).toBe(userId);
    expect(linked.body.deviceId).not.toBe(deviceId);
    expect(await phone.credentials()).toBe(1);

    // The phone signs in with its own passkey and sees both devices.
    const phoneSession = (await phone.page.evaluate(() =>
      (globalThis as unknown as PageApi).signIn(),
    )) as Reply;
    expect(phoneSession.status).toBe(200);
    expect(phoneSession.body).toMatchObject({ userId, deviceId: linked.body.deviceId });
    const devices = (await phone.page.evaluate(
      (token) => (globalThis as unknown as PageApi).get('/v1/devices', token),
      phoneSession.body.accessToken as string,
    )) as Reply;
    expect(
      devices.body.devices.map((d: { name: string; type: string }) => `${d.name}/${d.type}`).sort(),
    ).toEqual(['Ada laptop/desktop', 'Ada phone/mobile']);

    // The code was single use: a second phone is refused and nothing is created.
    const again = (await phone.page.evaluate(
      (c) =>
        (globalThis as unknown as PageApi).api('/v1/devices/link/begin', {
          code: c,
          deviceName: 'x',
          deviceType: 'mobile',
        }),
      code.body.code as string,
    )) as Reply;
    expect(again.status).toBe(410);
    expect(again.body.error).toMatchObject({ code: 'GONE', reason: 'CODE_USED' });
  });
});
