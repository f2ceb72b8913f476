/**
 * The browser node end to end: a real sync server process serving the real web UI, one real
 * daemon process, and Debian's Chromium running the engine inside the page (WebRTC to the
 * daemon, messages in IndexedDB, files in OPFS, a passkey from a CDP virtual authenticator).
 * The page is driven through the UI as a person would; the daemon with `poolnet … --json`.
 * Files go both ways; a folder picked in the page (the folder picker) goes to the daemon.
 * The UI is built here (Vite, into a temp folder), so the test always runs the current code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Json, eventually } from '../../../daemon/test/fixture.js';
import { PoolnetProcesses } from '../../../daemon/test/processes.js';
import {
  type ChromiumProfile,
  addVirtualAuthenticator,
  launchChromium,
} from '../../../sync-server/test/browser/chromium.js';
import { buildWeb, startBrowserStack } from './support/browser-stack.js';
import { opfsSha256 } from './support/opfs.js';

const CONTRACT_PAGE = fileURLToPath(new URL('./browser-node-page', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../../../test-results', import.meta.url));
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const processes = new PoolnetProcesses();
let root: string;
/** The daemon's address of the server (127.0.0.1); the page lives on `localhost`. */
let serverUrl: string;
let pageOrigin: string;
let daemonDir: string;
let profile: ChromiumProfile | undefined;
let second: ChromiumProfile | undefined;
/** Bob's page (WEB-B3), still open for WEB-B4. */
let bobPage: Page | undefined;

const poolnet = (...args: string[]): Promise<Json> => processes.run(daemonDir, args);

async function shoot(page: Page, screen: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.screenshot({ path: join(SHOTS, `browser-${screen}-${size.name}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-browser-node-'));
  const webDir = join(root, 'web');
  // The real UI, and the store contract page beside it at /contract/.
  await buildWeb(webDir);
  await build({
    configFile: false,
    root: CONTRACT_PAGE,
    base: './',
    logLevel: 'error',
    build: {
      outDir: join(webDir, 'contract'),
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: { polyfill: false },
    },
  });
  ({ serverUrl, daemonDir } = await startBrowserStack(processes, root, webDir));
  pageOrigin = serverUrl.replace('127.0.0.1', 'localhost');
  profile = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await second?.close();
  await profile?.close();
  processes.killAll();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Every page's recent log lines, printed when a test fails (what the node saw). */
const pageLogs = new Map<Page, string[]>();

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await printPageLogs();
});

/**
 * Waits for `text` on `page` as a user would, up to 60 s; past 10 s it prints every page's
 * log, so a slow join (a refused join's backoff, a stuck pool read) leaves its trace even
 * when it ends in time.
 */
async function waitForText(page: Page, text: string | RegExp): Promise<void> {
  const target = page.getByText(text).first();
  try {
    await target.waitFor({ timeout: 10_000 });
  } catch {
    console.error(`still no "${String(text)}" after 10 s; the pages' logs:`);
    await printPageLogs();
    await target.waitFor({ timeout: 50_000 });
  }
}

/**
 * Where the page's main thread is (DevTools' pause, then resume): a page stuck in a loop
 * shows the loop; an idle one pauses at its next task or not within 3 s ("idle").
 */
async function pageStack(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Debugger.enable');
    const paused = new Promise<{ callFrames: Json[] }>((resolve) =>
      cdp.once('Debugger.paused', (event) => resolve(event as { callFrames: Json[] })),
    );
    await cdp.send('Debugger.pause');
    const event = await Promise.race([
      paused,
      new Promise<undefined>((resolve) => setTimeout(resolve, 3_000)),
    ]);
    if (event === undefined) return 'idle (no JavaScript ran within 3 s)';
    await cdp.send('Debugger.resume').catch(() => undefined);
    return event.callFrames
      .slice(0, 20)
      .map(
        (f) =>
          `${f.functionName || '(anonymous)'} ${f.url}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1}`,
      )
      .join(' < ');
  } catch (err) {
    return `unknown (${String(err)})`;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

async function printPageLogs(): Promise<void> {
  let n = 0;
  for (const [page, lines] of pageLogs) {
    n++;
    const bar = page.isClosed()
      ? '(closed)'
      : await page
          .locator('main')
          .first()
          .innerText({ timeout: 1_000 })
          .then((text) => text.slice(0, 400))
          .catch(() => '(no main)');
    console.error(`--- page ${n} (${page.url()}): ${bar.replace(/\s+/g, ' ')}`);
    for (const line of lines) console.error(`  ${line}`);
    if (!page.isClosed()) console.error(`  main thread: ${await pageStack(page)}`);
  }
}

async function newPage(from = profile): Promise<Page> {
  const page = await (from as ChromiumProfile).context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const lines: string[] = [];
  pageLogs.set(page, lines);
  const keep = (line: string) => {
    lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (lines.length > 300) lines.shift();
  };
  page.on('pageerror', (err) => {
    keep(`page error: ${err.message}`);
    console.error(`page error: ${err.message}`);
  });
  page.on('console', (m) => {
    keep(m.text());
    // POOLNET_E2E_LOGS=1: the page's log lines as they come (the daemon's go to stderr).
    if (process.env.POOLNET_E2E_LOGS) console.error(`[page] ${m.text()}`);
  });
  return page;
}

describe('the browser node', () => {
  it('[WEB-B1] the sync server serves the page, its app config and app routes; the API stays JSON', async () => {
    const config = await fetch(`${pageOrigin}/app-config.json`);
    expect(config.headers.get('content-type')).toContain('application/json');
    expect(await config.json()).toEqual({ mode: 'browser', serverUrl: pageOrigin });
    const page = await fetch(`${pageOrigin}/join`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${pageOrigin.replace('http', 'ws')}`);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${pageOrigin}${script}`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // Passkeys need the relying party's host: a page asked for on 127.0.0.1 goes to localhost.
    const redirected = await fetch(`${serverUrl}/join`, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe(`${pageOrigin}/join`);
    expect((await fetch(`${pageOrigin}/assets/missing.js`)).status).toBe(404);
    const api = await fetch(`${pageOrigin}/v1/nope`);
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${pageOrigin}/healthz`)).status).toBe(200);
  });

  it("[WEB-B2] IndexedDbMessageStore passes the engine's message store contract in Chromium", async () => {
    const page = await newPage();
    await page.goto(`${pageOrigin}/contract/`);
    await page.getByText('ready').waitFor();
    const passed = await page.evaluate(() =>
      (globalThis as unknown as { storeContract(): Promise<string[]> }).storeContract(),
    );
    expect(passed).toEqual(['STORE1', 'STORE2', 'STORE3', 'STORE4']);
    await page.close();
  });

  it("[WEB-B3] a page joins a daemon's pool by invite link, chats both ways and swaps files both ways", async () => {
    await poolnet('register', '--name', 'Ada', '--device', 'ada-laptop');
    const { pool } = await poolnet('pool', 'create', 'Family');
    const poolId = pool.id as string;
    const invite = await poolnet('pool', 'invite', 'Family', '--uses', '1');
    expect(invite.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/join#/);

    // The invite link as the person opens it: on the daemon's address of the server.
    const page = (bobPage = await newPage());
    await page.goto(invite.link as string);
    expect(page.url()).toBe((invite.link as string).replace('127.0.0.1', 'localhost'));
    await addVirtualAuthenticator(page);
    await page.getByRole('heading', { name: 'Welcome to Poolnet' }).waitFor();
    await shoot(page, 'welcome');
    await page.getByLabel('Your name').fill('Bob');
    await page.getByLabel('This device').fill('Bob browser');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('heading', { name: 'Join a pool' }).waitFor();
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('heading', { name: 'Family' }).waitFor();

    // Placed, and linked to the daemon over WebRTC (seen from the daemon).
    await waitForText(page, /\d+ online/);
    const bob = await eventually(
      async () => {
        const status = await poolnet('status');
        const p = status.pools.find((x: Json) => x.id === poolId);
        return p?.links.find((l: Json) => l.open && l.transport === 'webrtc');
      },
      'the daemon linked to the page over WebRTC',
      30_000,
    );

    // Chat: page → daemon, daemon → page.
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('hello from the browser');
    await composer.press('Enter');
    await eventually(async () => {
      const history = await poolnet('history', 'Family');
      return history.messages.some(
        (m: Json) => m.text === 'hello from the browser' && m.author === bob.peer,
      );
    }, "the daemon to receive the page's text");
    await poolnet('send', 'Family', 'hello from the daemon');
    await page.getByText('hello from the daemon').first().waitFor({ timeout: 30_000 });

    // A file the daemon offers, downloaded by the page into OPFS.
    const offered = randomBytes(1_500_000 + 777);
    const offeredPath = join(root, 'from-daemon.bin');
    await writeFile(offeredPath, offered);
    const shared = await poolnet('share', 'Family', offeredPath);
    const offeredId = shared.file.id as string;
    await page.getByText('from-daemon.bin').first().waitFor({ timeout: 30_000 });
    await shoot(page, 'chat');
    await page.getByRole('tab', { name: /Files/ }).click();
    const row = page.getByTestId('file-from-daemon.bin');
    await row.getByText(/1 seeder online/).waitFor({ timeout: 30_000 });
    await shoot(page, 'files');
    await row.getByRole('button', { name: 'Download' }).click();
    await page.getByRole('button', { name: 'Transfers' }).click();
    const transfer = page.getByTestId(/^transfer-/).filter({ hasText: 'from-daemon.bin' });
    await transfer.getByText('100 %').waitFor({ timeout: 60_000 });
    await page.locator('.history', { hasText: 'from-daemon.bin' }).getByText(/done/).waitFor();
    await shoot(page, 'transfers');
    expect(await opfsSha256(page, poolId, offeredId)).toEqual({
      size: offered.length,
      sha256: sha256Hex(offered),
    });

    // A file picked in the page, downloaded by the daemon.
    await page.getByRole('button', { name: 'Pools', exact: true }).click();
    await page.getByRole('button', { name: /Family/ }).click();
    const picked = randomBytes(900_000 + 123);
    await page.getByTestId('file-input').setInputFiles({
      name: 'from-browser.bin',
      mimeType: 'application/octet-stream',
      buffer: picked,
    });
    const pickedId = await eventually(async () => {
      const listed = await poolnet('files', 'Family');
      return listed.files.find((f: Json) => f.name === 'from-browser.bin' && f.seedersOnline > 0)
        ?.id as string | undefined;
    }, "the page's offer to reach the daemon");
    const target = join(root, 'downloads');
    const fetched = await poolnet('download', 'Family', pickedId, '--to', target);
    expect(fetched.sha256).toBe(sha256Hex(picked));
    expect(sha256Hex(await readFile(fetched.path as string))).toBe(sha256Hex(picked));

    // A folder picked with the browser's folder picker: one folder offer with relative paths,
    // which the daemon lists as a folder and downloads all of, each file where it belongs.
    const album = join(root, 'Album');
    const albumFiles: Record<string, Buffer> = {
      'one.txt': randomBytes(1500),
      'two.bin': randomBytes(300_000),
      'sub/three.bin': randomBytes(650_000 + 9),
    };
    for (const [rel, bytes] of Object.entries(albumFiles)) {
      await mkdir(dirname(join(album, rel)), { recursive: true });
      await writeFile(join(album, rel), bytes);
    }
    await page.getByRole('tab', { name: /Files/ }).click();
    await page.getByTestId('folder-input').setInputFiles(album);
    await page.getByText('Shared Album: 3 files.').waitFor({ timeout: 30_000 });
    const albumId = await eventually(async () => {
      const listed = await poolnet('files', 'Family');
      return listed.folders.find(
        (f: Json) => f.name === 'Album' && f.fileCount === 3 && f.seedersOnline > 0,
      )?.id as string | undefined;
    }, "the page's folder to reach the daemon");
    const gotAlbum = await poolnet('download', 'Family', albumId, '--all', '--to', target);
    expect(gotAlbum.path).toBe(join(target, 'Album'));
    expect(
      gotAlbum.files.map((f: Json) => `${f.relativePath}|${f.name}|${f.outcome}`).sort(),
    ).toEqual(['|one.txt|fetched', '|two.bin|fetched', 'sub|three.bin|fetched'].sort());
    for (const [rel, bytes] of Object.entries(albumFiles)) {
      expect(sha256Hex(await readFile(join(target, 'Album', rel))), rel).toBe(sha256Hex(bytes));
    }
    await page.getByRole('tab', { name: /Chat/ }).click();

    // Images both ways: offered with their size and a WebP preview made where they were picked,
    // fetched on their own by the other side (both auto-fetch up to 16 MiB).
    const png = (seed: number) =>
      sharp(
        randomBytes(240 * 160 * 3).map((b) => b ^ seed),
        { raw: { width: 240, height: 160, channels: 3 } },
      )
        .png()
        .toBuffer();
    const pagePhoto = await png(1);
    await page
      .getByTestId('image-input')
      .setInputFiles({ name: 'page-photo.png', mimeType: 'image/png', buffer: pagePhoto });
    const photo = await eventually(
      async () => {
        const listed = await poolnet('files', 'Family');
        return listed.files.find((f: Json) => f.name === 'page-photo.png' && f.have === true);
      },
      "the page's image to reach the daemon and be fetched",
      30_000,
    );
    expect(photo).toMatchObject({ kind: 'image', mime: 'image/png', width: 240, height: 160 });
    const preview = Buffer.from(photo.preview as string, 'base64');
    expect(preview.length).toBeGreaterThan(0);
    expect(preview.length).toBeLessThanOrEqual(2048);
    expect(preview.subarray(8, 12).toString('ascii')).toBe('WEBP');
    const photoOnDisk = await poolnet('download', 'Family', photo.id as string);
    expect(sha256Hex(await readFile(photoOnDisk.path as string))).toBe(sha256Hex(pagePhoto));

    const daemonPhoto = await png(2);
    const daemonPhotoPath = join(root, 'daemon-photo.png');
    await writeFile(daemonPhotoPath, daemonPhoto);
    await poolnet('share', 'Family', daemonPhotoPath);
    await page
      .locator('figure.image-offer img[alt="daemon-photo.png"]')
      .waitFor({ timeout: 30_000 });
    await page
      .locator('figure.image-offer img[data-full="yes"][alt="daemon-photo.png"]')
      .waitFor({ timeout: 30_000 });
    await shoot(page, 'images');

    // One tab per browser: a second one says so instead of being the same device twice.
    const second = await newPage();
    await second.goto(pageOrigin);
    await second.getByText(/already open in another tab/).waitFor({ timeout: 15_000 });
    await second.close();

    // Both messages and both offers survive a reload: IndexedDB and OPFS, no server needed for them.
    await page.reload();
    await page.getByText('hello from the daemon').first().waitFor({ timeout: 30_000 });
    await page.getByText('hello from the browser').first().waitFor();
    expect((await opfsSha256(page, poolId, offeredId)).sha256).toBe(sha256Hex(offered));
    await page.getByRole('button', { name: 'Pools', exact: true }).click();
    await page.getByRole('heading', { name: 'Pools' }).waitFor();
    await shoot(page, 'pools');

    // Sign out, and back in with the browser's passkey: the same device, its pool still there.
    await page.getByRole('button', { name: 'Settings' }).click();
    await shoot(page, 'settings');
    await page.getByRole('button', { name: 'Sign out of this device' }).click();
    await page.getByRole('heading', { name: 'Welcome to Poolnet' }).waitFor();
    await page.getByRole('tab', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where it was (Settings), signed in as the same device.
    await page.getByText(/Bob browser.*this device/).waitFor();
    await page.getByRole('button', { name: 'Pools', exact: true }).click();
    await page.getByRole('heading', { name: 'Pools' }).waitFor();
    await page.getByRole('button', { name: /Family/ }).waitFor();
    const status = await poolnet('status');
    expect(status.pools.find((x: Json) => x.id === poolId)).toBeDefined();
  }, 150_000);

  it('[WEB-B4] two browsers in a pool of their own: a direct page-to-page link, chat and a file', async () => {
    const page = bobPage as Page;
    await page.getByRole('button', { name: 'Pools', exact: true }).click();
    await page.getByLabel('Pool name').fill('Browsers');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Browsers' }).waitFor();
    await page.getByRole('tab', { name: /People/ }).click();
    await page.getByRole('button', { name: 'Create invite link' }).click();
    const link = await page.getByTestId('invite-link').inputValue();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/join#\S+$/);

    // Cy: another browser profile (its own IndexedDB, OPFS and passkeys).
    second = await launchChromium();
    const cy = await newPage(second);
    await cy.goto(link);
    await addVirtualAuthenticator(cy);
    await cy.getByLabel('Your name').fill('Cy');
    await cy.getByLabel('This device').fill('Cy browser');
    await cy.getByRole('button', { name: 'Create my account' }).click();
    await cy.getByRole('button', { name: 'Join' }).click();
    await cy.getByRole('heading', { name: 'Browsers' }).waitFor();
    await waitForText(cy, '2 online');

    await page.getByRole('tab', { name: /Chat/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('hello Cy, from Bob');
    await composer.press('Enter');
    await cy.getByText('hello Cy, from Bob').first().waitFor({ timeout: 30_000 });

    const data = randomBytes(600_000 + 5);
    await cy
      .getByTestId('file-input')
      .setInputFiles({ name: 'from-cy.bin', mimeType: 'application/octet-stream', buffer: data });
    await page.getByRole('tab', { name: /Files/ }).click();
    const row = page.getByTestId('file-from-cy.bin');
    await row.getByText(/1 seeder online/).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Download' }).click();
    await page.getByRole('button', { name: 'Transfers' }).click();
    const transfer = page.getByTestId(/^transfer-/).filter({ hasText: 'from-cy.bin' });
    await transfer.getByText('100 %').waitFor({ timeout: 60_000 });
    // Done once the whole-file hash is checked and the file is in place (after the last chunk).
    await page.locator('.history', { hasText: 'from-cy.bin' }).getByText(/done/).waitFor();
    const fileId = ((await transfer.getAttribute('data-testid')) ?? '').replace(/^transfer-/, '');
    const poolId = await cy.evaluate(() =>
      decodeURIComponent(location.pathname.split('/')[2] ?? ''),
    );
    expect(await opfsSha256(page, poolId, fileId)).toEqual({
      size: data.length,
      sha256: sha256Hex(data),
    });
  }, 120_000);
});
