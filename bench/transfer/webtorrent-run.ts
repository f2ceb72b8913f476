/**
 * The WebTorrent run of bench:transfer: one seeder and N leecher processes of
 * bench/webtorrent/seed-and-fetch.mjs, TCP on 127.0.0.1 only. Each leecher is given the seeder
 * and every other leecher as peers, so they swarm as WebTorrent users would. Timed: from
 * handing the leechers their peers until the last one reports 'done'. WebTorrent is not a
 * dependency of the workspace: bench/webtorrent has its own package.json and lock, installed
 * here on first use. Any failure is reported and gives no figure (null), not a failed bench.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses, RunningChild } from './child-processes.js';
import { RssSampler } from './rss-sampler.js';

const WEBTORRENT_DIR = fileURLToPath(new URL('../webtorrent/', import.meta.url));
const SCRIPT = join(WEBTORRENT_DIR, 'seed-and-fetch.mjs');

export interface WebTorrentRunOptions {
  readonly root: string;
  readonly file: string;
  readonly sha256: string;
  readonly receivers: number;
  readonly children: ChildProcesses;
  readonly timeoutMs: number;
  /** Piece selection; WebTorrent's default is 'sequential'. */
  readonly strategy?: 'sequential' | 'rarest';
  log(text: string): void;
}

/** The milliseconds until the last leecher was done, or null (with the reason logged). */
export async function runWebTorrent(options: WebTorrentRunOptions): Promise<number | null> {
  try {
    await ensureInstalled(options.log);
    return await transfer(options);
  } catch (err) {
    options.log(`no WebTorrent figure: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** `npm install` in bench/webtorrent when webtorrent is not there yet (from its lock file). */
async function ensureInstalled(log: (text: string) => void): Promise<void> {
  if (existsSync(join(WEBTORRENT_DIR, 'node_modules', 'webtorrent', 'package.json'))) return;
  log(`installing webtorrent in ${WEBTORRENT_DIR}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(npm, ['install', '--prefix', WEBTORRENT_DIR, '--no-audit', '--no-fund'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(`npm install in ${WEBTORRENT_DIR} exited ${String(code)}: ${output.join('')}`);
  }
}

function field<T>(line: string, name: string, type: 'number' | 'string' | 'boolean') {
  try {
    const value = (JSON.parse(line) as Record<string, unknown>)[name];
    return typeof value === type ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

async function transfer(options: WebTorrentRunOptions): Promise<number> {
  const { root, children, log, timeoutMs } = options;
  await mkdir(root, { recursive: true });
  const torrent = join(root, 'bench.torrent');
  const node = (name: string, args: string[]) =>
    children.start(name, process.execPath, [SCRIPT, ...args], {
      cwd: WEBTORRENT_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  const seedStart = performance.now();
  const seeder = node('wt-seeder', ['seed', options.file, torrent]);
  const seederPort = await seeder.waitFor(
    (line) => field<number>(line, 'port', 'number'),
    'seeding',
    timeoutMs,
  );
  log(
    `seeder on 127.0.0.1:${seederPort} (hashed in ${Math.round(performance.now() - seedStart)} ms)`,
  );

  const leechers: RunningChild[] = [];
  for (let i = 1; i <= options.receivers; i++) {
    const dir = join(root, `leecher-${i}`);
    await mkdir(dir, { recursive: true });
    leechers.push(
      node(`wt-leecher-${i}`, [
        'fetch',
        torrent,
        dir,
        options.sha256,
        options.strategy ?? 'sequential',
      ]),
    );
  }
  const ports = await Promise.all(
    leechers.map((l) => l.waitFor((line) => field<number>(line, 'port', 'number'), 'port', 60_000)),
  );

  const sampler = new RssSampler([seeder.pid, ...leechers.map((l) => l.pid)]);
  sampler.start();
  const started = performance.now();
  for (const [i, leecher] of leechers.entries()) {
    const others = ports.filter((_, j) => j !== i);
    const peers = [seederPort, ...others].map((port) => `127.0.0.1:${port}`);
    leecher.send(JSON.stringify({ peers }));
  }
  try {
    await Promise.all(
      leechers.map(async (l) => {
        await l.waitFor((line) => field<boolean>(line, 'done', 'boolean'), "'done'", timeoutMs);
        log(`${l.name} done after ${Math.round(performance.now() - started)} ms`);
      }),
    );
  } catch (err) {
    await sampler.stop();
    throw err;
  }
  const ms = performance.now() - started;
  const peaks = await sampler.stop();
  await Promise.all(
    leechers.map((l) =>
      l.waitFor((line) => field<boolean>(line, 'verified', 'boolean'), 'verified hash', timeoutMs),
    ),
  );
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  log(
    `every leecher's file verified; peak RSS seeder ${mb(peaks.get(seeder.pid) ?? 0)} MB, ` +
      `leechers max ${mb(Math.max(...leechers.map((l) => peaks.get(l.pid) ?? 0)))} MB`,
  );
  return ms;
}
