/**
 * Debian's Chromium driven by playwright-core (no browser download), with a CDP virtual
 * passkey authenticator per page. The flags are the ones measured to work on 127.0.0.1
 * (../shared/design/DEPENDENCIES.md §4–5).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.POOLNET_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every launch shares; the NAT harness (apps/daemon/test/nat) adds its own. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Here the pages and the daemons meet on 127.0.0.1: WebRTC may use loopback. */
const FLAGS = [...CHROMIUM_FLAGS, '--allow-loopback-in-peer-connection'];

export interface ChromiumProfile {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile (its own user data dir, so its own cookies and storage). */
export async function launchChromium(): Promise<ChromiumProfile> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set POOLNET_CHROMIUM`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'poolnet-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A platform passkey authenticator with user verification, as a phone or laptop has. */
export async function addVirtualAuthenticator(
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}
