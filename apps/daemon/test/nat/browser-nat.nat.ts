/**
 * `npm run test:nat` (ADR 0010): the browser node's NAT check in a real Chromium behind real
 * NATs. The sync server (STUN on two ports) serves the web UI in the public namespace; Debian's
 * Chromium runs inside a home namespace, behind a port-restricted cone router and then behind a
 * symmetric one (`ip netns exec` through a wrapper script given to playwright-core), opens the
 * app from the server, registers with a CDP virtual passkey, and its Settings must show the
 * NAT type the page learnt from its own ICE candidates, with the router's public address.
 * The page reaches the server by a name (`poolnet.test`, mapped by Chromium's host resolver
 * rules): passkeys need a domain as relying party id, never an IP address.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_FLAGS,
  CHROMIUM_PATH,
  addVirtualAuthenticator,
} from '../../../sync-server/test/browser/chromium.js';
import { type Home, NatNetwork, PUBLIC_IP, requireTools } from './netns.js';
import { NsProcesses } from './ns-processes.js';

const HTTP_PORT = 8080;
const HOST = 'poolnet.test';
const ORIGIN = `http://${HOST}:${HTTP_PORT}`;
const BUILD_IF_STALE = fileURLToPath(
  new URL('../../../web/scripts/build-if-stale.mjs', import.meta.url),
);
/** As apps/sync-server/test/browser/chromium.ts, plus: the server by name, its origin secure. */
const FLAGS = [
  ...CHROMIUM_FLAGS,
  `--host-resolver-rules=MAP ${HOST} ${PUBLIC_IP}`,
  `--unsafely-treat-insecure-origin-as-secure=${ORIGIN}`,
];

const net = new NatNetwork();
const processes = new NsProcesses();
const browsers: Browser[] = [];
let root: string;
let cone: Home;
let sym: Home;
/** Figures for the report, printed at the end. */
const figures: Record<string, number> = {};

beforeAll(async () => {
  await requireTools();
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
  // The server serves apps/web/dist: build it when a source is newer (as `npm test` does).
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [BUILD_IF_STALE], { timeout: 120_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`building the web UI: ${stderr || error.message}`)) : resolve(),
    ),
  );
  root = await mkdtemp(join(tmpdir(), 'poolnet-nat-browser-'));
  await net.start();
  cone = await net.addHome('cone', 'cone');
  sym = await net.addHome('symmetric', 'symmetric');

  await processes.server(net.publicNs, PUBLIC_IP, HTTP_PORT, root, {
    rp: { id: HOST, name: 'Poolnet NAT test', origins: [ORIGIN] },
  });
}, 120_000);

afterAll(async () => {
  for (const browser of browsers.splice(0)) await browser.close().catch(() => undefined);
  processes.killAll();
  await net.destroy();
  if (root) await rm(root, { recursive: true, force: true });
  if (Object.keys(figures).length > 0) {
    console.log(`NAT browser figures: ${JSON.stringify(figures)}`);
  }
});

/** Chromium inside `home`'s namespace: playwright-core runs this script as the browser. */
async function chromiumIn(home: Home): Promise<Browser> {
  const wrapper = join(root, `chromium-${home.name}.sh`);
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${home.ns} ${CHROMIUM_PATH} "$@"\n`);
  await chmod(wrapper, 0o755);
  const browser = await chromium.launch({ executablePath: wrapper, headless: true, args: FLAGS });
  browsers.push(browser);
  return browser;
}

/** Registers in a fresh page in `home` and returns what Settings shows of the NAT check. */
async function natShownIn(home: Home) {
  const browser = await chromiumIn(home);
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  if (process.env.POOLNET_E2E_LOGS) page.on('console', (m) => console.error(`[page] ${m.text()}`));
  await page.goto(`${ORIGIN}/`);
  await addVirtualAuthenticator(page);
  await page.getByRole('heading', { name: 'Welcome to Poolnet' }).waitFor();
  await page.getByLabel('Your name').fill(`${home.name} person`);
  await page.getByLabel('This device').fill(`${home.name} browser`);
  const started = Date.now();
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  // Settings reads the status when it opens; the check may end later: open it again until then.
  const shown = page.getByTestId('nat-check');
  for (let tries = 0; !(await shown.isVisible()); tries++) {
    if (tries >= 20) throw new Error(`${home.name}: no NAT check shown in Settings`);
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Transfers' }).click();
    await page.getByRole('button', { name: 'Settings' }).click();
  }
  figures[`${home.name}RegisterToVerdictMs`] = Date.now() - started;
  const text = (await shown.innerText()).replace(/\s+/g, ' ');
  const warning = (await shown.getAttribute('class'))?.includes('warning') ?? false;
  await browser.close();
  return { text, warning };
}

describe("the browser node's NAT check, in Chromium inside the NAT harness", () => {
  it('[NAT4] behind a cone router the page reports a cone NAT with the router address', async () => {
    const { text, warning } = await natShownIn(cone);
    expect(text).toContain('Cone NAT');
    expect(text).toMatch(new RegExp(`seen as ${cone.publicIp.replace(/\./g, '\\.')}:\\d+`));
    expect(text).toContain('direct links work');
    expect(warning).toBe(false);
  });

  it('[NAT5] behind a symmetric router the page says it is reachable only through TURN', async () => {
    const { text, warning } = await natShownIn(sym);
    expect(text).toContain('Symmetric NAT');
    expect(text).toMatch(new RegExp(`seen as ${sym.publicIp.replace(/\./g, '\\.')}:\\d+`));
    expect(text).toContain('only through a TURN relay');
    expect(warning).toBe(true);
  });
});
