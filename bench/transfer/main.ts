/**
 * One file from one seeder to N receivers on this machine: `npm run bench:transfer --
 * --receivers 9 --size 1GiB`. Three runs on the same random file, one after the other:
 *
 * 1. Poolnet (`poolnet-run.ts`): a sync server and 1 + N daemon processes over WebRTC on
 *    127.0.0.1, driven with the `poolnet` CLI.
 * 2. WebTorrent (`webtorrent-run.ts`): one seeder and N leecher processes over TCP on
 *    127.0.0.1 (bench/webtorrent, installed on demand).
 * 3. A raw TCP copy (`tcp-copy.ts`) to one receiver process: what a single copy costs here.
 *
 * Prints one JSON line on stdout (bench/README.md says what each figure is); progress and
 * diagnostics go to stderr. Every child process is stopped on exit, error or signal.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChildProcesses } from './child-processes.js';
import { type PoolnetResult, runPoolnet } from './poolnet-run.js';
import { sha256File, writeRandomFile } from './random-file.js';
import { formatSize, parseSize } from './size.js';
import { runTcpCopy } from './tcp-copy.js';
import { runWebTorrent } from './webtorrent-run.js';

const { values } = parseArgs({
  options: {
    receivers: { type: 'string', default: '9' },
    size: { type: 'string', default: '64MiB' },
    timeout: { type: 'string', default: '1800' },
    'no-poolnet': { type: 'boolean', default: false },
    'no-webtorrent': { type: 'boolean', default: false },
    'no-tcp': { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    'ignore-unhandled-rejections': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

function fail(text: string): never {
  process.stderr.write(`${text}\n`);
  process.exit(2);
}

const receivers = Number(values.receivers);
if (!Number.isInteger(receivers) || receivers < 1 || receivers > 100) {
  fail(`--receivers must be an integer in [1, 100], got ${values.receivers}`);
}
const sizeBytes =
  parseSize(values.size) ?? fail(`--size ${values.size}: not a size (64MiB, 1GiB…)`);
const timeoutSeconds = Number(values.timeout);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
  fail(`--timeout must be a positive number of seconds, got ${values.timeout}`);
}
const timeoutMs = timeoutSeconds * 1000;

const log = (text: string) => process.stderr.write(`[bench:transfer] ${text}\n`);
const mb = (bytes: number | undefined) =>
  bytes === undefined ? null : Math.round((bytes / 2 ** 20) * 10) / 10;
const ms = (value: number | null | undefined) =>
  value === undefined || value === null ? null : Math.round(value);
const ratio = (part: number | null, whole: number | undefined) =>
  part === null || whole === undefined ? null : Math.round((part / whole) * 100) / 100;

const children = new ChildProcesses(
  values.verbose
    ? (name, text) => process.stderr.write(prefixLines(`[${name}] `, text))
    : undefined,
);
let root: string | undefined;

function prefixLines(prefix: string, text: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}

async function cleanup(): Promise<void> {
  await children.stopAll().catch((err: unknown) => log(`stopping children: ${String(err)}`));
  if (root === undefined) return;
  if (values['keep-data']) log(`data kept in ${root}`);
  else await rm(root, { recursive: true, force: true }).catch(() => undefined);
}

for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.once(event, (err: unknown) => {
    log(`${event}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void cleanup().finally(() => process.exit(1));
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<Record<string, unknown>> {
  root = await mkdtemp(join(tmpdir(), 'poolnet-bench-transfer-'));
  const file = join(root, 'source', `bench-${sizeBytes}.bin`);
  await mkdir(join(root, 'source'));
  log(`writing ${formatSize(sizeBytes)} of random bytes to ${file}`);
  await writeRandomFile(file, sizeBytes);
  const sha256 = await sha256File(file);
  log(`sha256 ${sha256}`);

  let poolnet: PoolnetResult | undefined;
  if (!values['no-poolnet']) {
    poolnet = await runPoolnet({
      root: join(root, 'poolnet'),
      file,
      sha256,
      receivers,
      children,
      timeoutMs,
      ignoreUnhandledRejections: values['ignore-unhandled-rejections'],
      log: (text) => log(`poolnet: ${text}`),
    });
    await children.stopAll();
    await rm(join(root, 'poolnet'), { recursive: true, force: true });
    const relayed = poolnet.stats.map((s) => `${s.name}=${s.stats.chunksServedAsRelay ?? '?'}`);
    log(`poolnet: ${Math.round(poolnet.ms)} ms; chunks served as relay: ${relayed.join(' ')}`);
  }

  let webtorrentMs: number | null = null;
  if (!values['no-webtorrent']) {
    webtorrentMs = await runWebTorrent({
      root: join(root, 'webtorrent'),
      file,
      sha256,
      receivers,
      children,
      timeoutMs,
      log: (text) => log(`webtorrent: ${text}`),
    });
    await children.stopAll();
    await rm(join(root, 'webtorrent'), { recursive: true, force: true });
  }

  let tcpCopyMs: number | null = null;
  if (!values['no-tcp']) {
    tcpCopyMs = await runTcpCopy({
      root: join(root, 'tcp'),
      file,
      sha256,
      children,
      timeoutMs,
      log: (text) => log(`tcp: ${text}`),
    });
    await children.stopAll();
  }

  return {
    receivers,
    sizeBytes,
    poolnetMs: ms(poolnet?.ms),
    webtorrentMs: ms(webtorrentMs),
    tcpCopyMs: ms(tcpCopyMs),
    vsWebtorrent: ratio(webtorrentMs, poolnet?.ms),
    vsTcp: ratio(tcpCopyMs, poolnet?.ms),
    seederPeakRssMB: mb(poolnet?.seederPeakRssBytes),
    receiverPeakRssMB: mb(poolnet?.receiverPeakRssBytes),
  };
}

// Exit explicitly: a download command or socket of a failed run must not keep the bench alive.
try {
  const line = await main();
  await cleanup();
  process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(0));
} catch (err) {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}
