/**
 * The processes behind a browser-node e2e test: the web UI built here with Vite (into a temp
 * folder, so the test always runs the current code), a real sync server process serving it,
 * and one real daemon process.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { PoolnetProcesses } from '../../../../daemon/test/processes.js';

const WEB = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds the real UI into `webDir`, not minified: a failing test prints the page's stack
 * (see `pageStack`), which is only readable with the code's own names.
 */
export async function buildWeb(webDir: string): Promise<void> {
  await build({
    configFile: join(WEB, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: webDir, emptyOutDir: true, minify: process.env.POOLNET_E2E_MINIFY === '1' },
  });
}

export interface BrowserStack {
  /** The daemon's address of the server (127.0.0.1). */
  readonly serverUrl: string;
  readonly daemonDir: string;
}

/**
 * Starts a sync server (data in ROOT/server) serving the UI built in `webDir`, then a daemon
 * on ROOT/daemon against it.
 */
export async function startBrowserStack(
  processes: PoolnetProcesses,
  root: string,
  webDir: string,
): Promise<BrowserStack> {
  const config = join(root, 'server.json');
  await writeFile(config, JSON.stringify({ webDir }));
  const serverUrl = await processes.server(root, config);
  const daemonDir = join(root, 'daemon');
  await processes.daemon(serverUrl, daemonDir);
  return { serverUrl, daemonDir };
}
