/**
 * Desktop mode end to end: a sync server and two daemons as separate processes, each daemon
 * serving the built UI, one Chromium page on each. Everything goes through the pages: register,
 * create a pool, invite, join by pasting the link, chat both ways, share a file and an image,
 * see the image on the other page (save it, copy it), download the file to 100 %, and check its
 * SHA-256 on disk; share a folder by its path and download it all on the other side, tree and
 * hashes checked on disk; the owner sets the pool's limits. Screenshots of each main screen go to
 * test-results/ at desktop and phone sizes, where nothing may scroll sideways.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolnetProcesses } from '../../../daemon/test/processes.js';
import {
  type ChromiumProfile,
  launchChromium,
} from '../../../sync-server/test/browser/chromium.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SHOTS = join(REPO, 'test-results');
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const processes = new PoolnetProcesses();
let root: string;
let chromium: ChromiumProfile;
let ann: Page;
let ben: Page;
let benData: string;
let benDaemon: ChildProcess;
/** Console errors of both pages: a CSP violation or an uncaught error shows up here. */
const consoleErrors: string[] = [];

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Both sizes of the page as it is now; at each, nothing may be wider than its box. */
async function shoot(page: Page, screen: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.screenshot({ path: join(SHOTS, `desktop-${screen}-${size.name}.png`) });
    expect(await overflowing(page), `${screen} at ${size.name} width`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The page and its scrolling boxes that scroll sideways (content wider than the screen). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [document.documentElement, ...document.querySelectorAll('main, .tab-body, .message-scroller')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth}px`),
  );
}

/** What a Tab stop may be. */
const CONTROLS = 'button:not(:disabled), a[href], input, textarea, select, [tabindex="0"]';

/**
 * Tabs once round the page: every visible control takes the focus by keyboard, and each shows
 * a focus outline. Returns the controls that did not (both lists empty when all is well).
 */
async function keyboardGaps(
  page: Page,
): Promise<{ reached: number; missed: string[]; unmarked: string[] }> {
  const count = await page.evaluate((selector) => {
    (document.activeElement as HTMLElement | null)?.blur();
    (window as unknown as { tabSeen: Set<Element> }).tabSeen = new Set();
    return [...document.querySelectorAll<HTMLElement>(selector)].filter(
      (el) => el.offsetParent !== null,
    ).length;
  }, CONTROLS);
  const unmarked = new Set<string>();
  for (let i = 0; i < count + 3; i++) {
    await page.keyboard.press('Tab');
    const bad = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      (window as unknown as { tabSeen: Set<Element> }).tabSeen.add(el);
      const style = getComputedStyle(el);
      if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) return null;
      return `${el.tagName} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}"`;
    });
    if (bad) unmarked.add(bad);
  }
  const missed = await page.evaluate((selector) => {
    const seen = (window as unknown as { tabSeen: Set<Element> }).tabSeen;
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((el) => el.offsetParent !== null && !seen.has(el))
      .map(
        (el) => `${el.tagName} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}"`,
      );
  }, CONTROLS);
  const reached = await page.evaluate(
    () => (window as unknown as { tabSeen: Set<Element> }).tabSeen.size,
  );
  return { reached, missed, unmarked: [...unmarked] };
}

function expectKeyboardReachable(gaps: Awaited<ReturnType<typeof keyboardGaps>>): void {
  expect(gaps).toMatchObject({ missed: [], unmarked: [] });
  // The walk did go round: the info bar, the tabs and the tab's own controls at least.
  expect(gaps.reached).toBeGreaterThan(5);
}

async function up(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const { match, child } = await processes.background(
    ['up', '--server', serverUrl, '--data', dataDir],
    /open the app: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/,
  );
  return { url: match[1] as string, child };
}

let serverUrl: string;

beforeAll(async () => {
  // The daemons serve apps/web/dist: build it if the sources changed.
  const build = spawnSync(process.execPath, [join(REPO, 'apps/web/scripts/build-if-stale.mjs')], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the web UI did not build');
  await mkdir(SHOTS, { recursive: true });
  root = await mkdtemp(join(tmpdir(), 'poolnet-web-e2e-'));
  serverUrl = await processes.server(root);
  benData = join(root, 'ben');
  const [annUp, benUp] = await Promise.all([up(join(root, 'ann')), up(benData)]);
  benDaemon = benUp.child;
  chromium = await launchChromium();
  ann = await chromium.context.newPage();
  ben = await chromium.context.newPage();
  for (const page of [ann, ben]) {
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  }
  await Promise.all([ann.goto(annUp.url), ben.goto(benUp.url)]);
}, 90_000);

afterAll(async () => {
  await chromium?.close();
  processes.killAll();
  if (root) await rm(root, { recursive: true, force: true });
});

async function register(page: Page, name: string, device: string): Promise<void> {
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('This device').fill(device);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.getByRole('heading', { name: 'Pools' }).waitFor();
}

describe('desktop mode in Chromium against two real daemons', () => {
  it('[UI1] register, pool, invite, join, chat, share a file and an image, download with the right SHA-256', async () => {
    // The token left the address bar; the page keeps it for this tab only.
    await ann.getByRole('heading', { name: 'Welcome to Poolnet' }).waitFor();
    expect(ann.url()).not.toContain('token=');
    await shoot(ann, 'welcome');

    await register(ann, 'Ann', 'Ann laptop');
    await register(ben, 'Ben', 'Ben desktop');

    await ann.getByLabel('Pool name').fill('Garden');
    await ann.getByRole('button', { name: 'Create' }).click();
    await ann.getByRole('heading', { name: 'Garden' }).waitFor();

    await ann.getByRole('tab', { name: /People/ }).click();
    await ann.getByRole('button', { name: 'Create invite link' }).click();
    const link = await ann.getByTestId('invite-link').inputValue();
    expect(link).toMatch(/\/join#\S+$/);
    await shoot(ann, 'people');

    // Keyboard: every control of the People tab is reached by Tab, each with a visible focus.
    expectKeyboardReachable(await keyboardGaps(ann));

    // The owner changes the pool's limits; the server's answer is shown.
    await ann.getByRole('button', { name: /Pool limits/ }).click();
    await ann.getByLabel(/Largest file/).fill('100');
    await ann.getByRole('button', { name: 'Save limits' }).click();
    await ann.getByText(/^Saved: messages up to \d+ bytes, files up to 100 MiB\.$/).waitFor();
    await ann.keyboard.press('Escape');
    await ann.getByLabel(/Largest file/).waitFor({ state: 'detached' });

    await ben.getByLabel('Invite link').fill(link);
    await ben.getByRole('button', { name: 'Join' }).click();
    await ben.getByRole('heading', { name: 'Garden' }).waitFor();

    // Chat both ways (each page waits until it is placed in the pool first).
    await ann.getByRole('tab', { name: /Chat/ }).click();
    for (const page of [ann, ben])
      await page
        .getByText(/\d+ online/)
        .first()
        .waitFor({ timeout: 60_000 });
    await ann.getByRole('textbox', { name: 'Message' }).fill('Hello from Ann');
    await ann.getByRole('textbox', { name: 'Message' }).press('Enter');
    await ben.getByText('Hello from Ann').waitFor({ timeout: 30_000 });
    await ben.getByRole('textbox', { name: 'Message' }).fill('Hi Ann, Ben here');
    await ben.getByRole('textbox', { name: 'Message' }).press('Enter');
    await ann.getByText('Hi Ann, Ben here').waitFor({ timeout: 30_000 });
    expect(await ann.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    // The info bar counts this device's links in the pool (loopback: none relayed).
    await ann
      .getByTestId('link-count')
      .getByText(/^\d+ links?$/)
      .waitFor({ timeout: 30_000 });
    // Keyboard: every control of the pool view is reached by Tab, each with a visible focus.
    expectKeyboardReachable(await keyboardGaps(ann));

    // Ann shares a 3 MB file and an image by picking them.
    const data = randomBytes(3 * 1024 * 1024);
    const image = await sharp(randomBytes(240 * 160 * 3), {
      raw: { width: 240, height: 160, channels: 3 },
    })
      .png()
      .toBuffer();
    await ann
      .getByTestId('file-input')
      .setInputFiles({ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: data });
    await ann
      .getByTestId('image-input')
      .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: image });

    // Ben sees the image in the chat: its preview at once (the full image follows).
    const picture = ben.locator('figure.image-offer img[alt="photo.png"]');
    await picture.waitFor({ timeout: 30_000 });
    expect(await picture.getAttribute('src')).toMatch(/^(data:image\/webp;base64,|blob:)/);
    await ben.getByText('notes.bin').first().waitFor();
    await shoot(ben, 'chat');

    // Ben downloads the file from the Files tab.
    await ben.getByRole('tab', { name: /Files/ }).click();
    const row = ben.getByTestId('file-notes.bin');
    await row.getByText(/1 seeder online/).waitFor({ timeout: 30_000 });
    await shoot(ben, 'files');
    await row.getByRole('button', { name: 'Download' }).click();
    await ben.getByRole('button', { name: 'Transfers' }).click();
    const transfer = ben.getByTestId(/^transfer-/).filter({ hasText: 'notes.bin' });
    await transfer.getByText('100 %').waitFor({ timeout: 60_000 });
    expect(await transfer.locator('progress').getAttribute('value')).toBe('100');
    await ben.locator('.history', { hasText: 'notes.bin' }).getByText(/done/).waitFor();
    await shoot(ben, 'transfers');

    const onDisk = await readFile(join(benData, 'downloads', 'notes.bin'));
    expect(onDisk.length).toBe(data.length);
    expect(sha256(onDisk)).toBe(sha256(data));

    // The image came on its own (auto-fetch) and is shown whole; the full view opens on click.
    await ben.getByRole('button', { name: 'Pools', exact: true }).click();
    await ben.getByRole('button', { name: /Garden/ }).click();
    const full = ben.locator('figure.image-offer img[data-full="yes"]');
    await full.waitFor({ timeout: 30_000 });
    await ben.getByRole('button', { name: 'View photo.png' }).click();
    const viewer = ben.getByRole('dialog', { name: 'photo.png' });
    await viewer.waitFor();
    // Save: the browser downloads the very bytes Ann shared.
    const [saved] = await Promise.all([
      ben.waitForEvent('download'),
      viewer.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe('photo.png');
    expect(sha256(await readFile(await saved.path()))).toBe(sha256(image));
    // Copy image: a PNG lands on the clipboard.
    await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(ben.url()).origin,
    });
    await ben.bringToFront();
    await viewer.getByRole('button', { name: 'Copy image' }).click();
    await viewer.getByText('Image copied.').waitFor();
    const types = await ben.evaluate(async () =>
      (await navigator.clipboard.read()).flatMap((item) => [...item.types]),
    );
    expect(types).toContain('image/png');
    await shoot(ben, 'image');
    // Escape closes it and focus goes back to the image.
    await ben.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await ben.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'View photo.png',
    );

    // Ann shares a folder of her computer by its path (nothing uploaded); Ben downloads it all:
    // on his disk, each file at its path inside the folder with the SHA-256 Ann's has.
    const trip = join(root, 'Trip');
    const tripFiles: Record<string, Buffer> = {
      'notes.txt': randomBytes(2000),
      'map.bin': randomBytes(300 * 1024),
      'day 1/photo.bin': randomBytes(900 * 1024 + 7),
    };
    for (const [rel, bytes] of Object.entries(tripFiles)) {
      await mkdir(dirname(join(trip, rel)), { recursive: true });
      await writeFile(join(trip, rel), bytes);
    }
    await ann.getByRole('tab', { name: /Files/ }).click();
    await ann.getByRole('button', { name: 'Share a folder…' }).click();
    const folderField = ann.getByRole('textbox', { name: 'Folder on this computer' });
    // A mistyped path first: the daemon's refusal, readable, and the form stays to fix it.
    await folderField.fill(join(root, 'Tirp'));
    await folderField.press('Enter');
    await ann.getByText(`cannot read ${join(root, 'Tirp')}: no such file or folder`).waitFor();
    await shoot(ann, 'share-folder');
    await folderField.fill(trip);
    await ann.getByRole('button', { name: 'Share folder' }).click();
    await ann.getByText('Shared Trip: 3 files.').waitFor({ timeout: 30_000 });
    await ben.getByRole('tab', { name: /Files/ }).click();
    const tripRow = ben.locator('.file-row.folder', { hasText: 'Trip/' });
    await tripRow.getByText(/3 files · .* · 1 online · 0\/3 here/).waitFor({ timeout: 30_000 });
    await tripRow.getByRole('button', { name: 'Download all' }).click();
    const tripTarget = join(benData, 'downloads', 'Trip');
    await ben.getByText(`Trip: 3 files in ${tripTarget}`).waitFor({ timeout: 60_000 });
    await tripRow.getByText(/3\/3 here/).waitFor({ timeout: 15_000 });
    for (const [rel, bytes] of Object.entries(tripFiles)) {
      expect(sha256(await readFile(join(tripTarget, rel))), rel).toBe(sha256(bytes));
    }

    await ann.getByRole('button', { name: 'Pools', exact: true }).click();
    await ann.getByRole('heading', { name: 'Pools' }).waitFor();
    await shoot(ann, 'pools');
    await ann.getByRole('button', { name: 'Settings' }).click();
    await ann.getByLabel('Downloads folder').waitFor();
    // Loopback: the STUN responder sees this device's own address, so no NAT.
    await ann.getByTestId('nat-check').getByText('No NAT (public address)').waitFor();
    await shoot(ann, 'settings');
    await ann.getByLabel('This device’s name').fill('Ann desk');
    await ann.getByLabel('Display name').fill('Annie');
    await ann.getByRole('button', { name: 'Save' }).click();
    await ann.getByText('Saved.').waitFor();
    await ann.getByText('Ann desk').first().waitFor();
    // The new name is the sync server's: the app's header reads it back from the daemon.
    await ann.getByText('Annie', { exact: true }).first().waitFor();

    // The strict CSP let the whole app run: nothing was refused, nothing threw.
    expect(
      consoleErrors.filter((e) => /Content Security Policy|Uncaught|TypeError/.test(e)),
    ).toEqual([]);

    // Ben's daemon stops: his page says so instead of failing silently.
    benDaemon.kill('SIGTERM');
    await ben
      .getByText('Lost the connection to the Poolnet daemon. Reconnecting…')
      .waitFor({ timeout: 15_000 });
    await shoot(ben, 'reconnect');
  }, 150_000);
});
