/**
 * The Poolnet run of bench:transfer: a sync server and 1 + N daemons as separate processes
 * (the real `poolnet` bin), set up and driven with CLI commands as a user would: register,
 * create a pool, invite, join, share a file from the seeder, then `download` on the N
 * receivers at once. Timed: from starting the N download commands until the last one has
 * returned. Each answer's SHA-256 and each file on disk are checked against the source.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcesses, RunningChild } from './child-processes.js';
import { freePort } from './free-port.js';
import { POOLNET_BIN, POOLNET_ENV, localGet, poolnet, until } from './poolnet-cli.js';
import { sha256File } from './random-file.js';
import { RssSampler, cpuSeconds } from './rss-sampler.js';

/** What the bench reads of `poolnet status --json` (apps/daemon/API.md `Status`). */
interface StatusJson {
  pools: Array<{
    id: string;
    joined: boolean;
    links: Array<{ peer: string; transport: string; open: boolean }>;
  }>;
}

/** What the bench reads of `poolnet files POOL --json`. */
interface FileJson {
  id: string;
  name: string;
  size: number;
  seedersOnline: number;
}

/** `GET /v1/files/stats?pool=` (the engine's FileTransferStats plus the relay cache's). */
export interface FileStats {
  chunksServed?: number;
  chunksServedAsRelay?: number;
  requestsAnsweredAsRelay?: number;
  chunksCached?: number;
  cacheHits?: number;
  cachedBytes?: number;
  chunksReceived?: number;
  badChunks?: number;
  unheldRequested?: number;
}

interface Device {
  readonly name: string;
  readonly dataDir: string;
  readonly pid: number;
  readonly child: RunningChild;
}

export interface PoolnetRunOptions {
  /** A fresh directory for the server's and daemons' data and the downloads. */
  readonly root: string;
  readonly file: string;
  readonly sha256: string;
  readonly receivers: number;
  readonly children: ChildProcesses;
  /** Setup steps and the transfer each give up after this long. */
  readonly timeoutMs: number;
  /**
   * Keep daemons alive through an unhandled promise rejection (logged and counted instead of
   * ending the process): a diagnostic switch for a daemon bug, never on by default.
   */
  readonly ignoreUnhandledRejections?: boolean;
  log(text: string): void;
}

export interface PoolnetResult {
  readonly ms: number;
  readonly seederPeakRssBytes: number;
  readonly receiverPeakRssBytes: number;
  /** Per daemon (seeder first), after the transfer. */
  readonly stats: ReadonlyArray<{ name: string; stats: FileStats }>;
}

/** The stderr line a daemon writes for a rejection it survived (`ignoreUnhandledRejections`). */
export const SURVIVED = 'bench:transfer: unhandled rejection survived:';

/** Preloaded into each daemon with `--import` when `ignoreUnhandledRejections` is set. */
const REJECTION_GUARD = `data:text/javascript,${encodeURIComponent(
  `process.on('unhandledRejection', (e) => process.stderr.write(${JSON.stringify(SURVIVED)} + ' ' + String(e && e.message || e) + '\\n'));`,
)}`;

/** Rate limits high enough for one loopback address to register every device of the run. */
const OPEN_LIMITS = { burst: 10_000, perMinute: 10_000 };

export async function runPoolnet(options: PoolnetRunOptions): Promise<PoolnetResult> {
  const { root, log, timeoutMs } = options;
  await mkdir(root, { recursive: true });
  const serverUrl = await startServer(options);
  log(`sync server at ${serverUrl}`);

  const devices = await Promise.all(
    Array.from({ length: options.receivers + 1 }, (_, i) =>
      startDaemon(options, serverUrl, i === 0 ? 'seeder' : `receiver-${i}`),
    ),
  );
  const [seeder, ...receivers] = devices as [Device, ...Device[]];
  log(`${devices.length} daemons up (pids ${devices.map((d) => d.pid).join(' ')})`);

  await Promise.all(
    devices.map((d) => poolnet(d.dataDir, ['register', '--name', d.name, '--device', d.name])),
  );
  const { pool } = await poolnet<{ pool: { id: string } }>(seeder.dataDir, [
    'pool',
    'create',
    'Bench',
  ]);
  const invite = await poolnet<{ link: string }>(seeder.dataDir, [
    'pool',
    'invite',
    pool.id,
    '--uses',
    String(receivers.length),
  ]);
  await Promise.all(receivers.map((r) => poolnet(r.dataDir, ['pool', 'join', invite.link])));
  await Promise.all(
    devices.map((d) =>
      until(
        async () => {
          const status = await poolnet<StatusJson>(d.dataDir, ['status']);
          const mine = status.pools.find((p) => p.id === pool.id);
          return mine?.joined === true && mine.links.some((l) => l.open);
        },
        `${d.name} to be placed in the pool with an open link`,
        timeoutMs,
        500,
      ),
    ),
  );
  log(`pool ${pool.id}: every daemon joined with an open link`);

  const { file } = await poolnet<{ file: FileJson }>(seeder.dataDir, [
    'share',
    pool.id,
    options.file,
  ]);
  await Promise.all(
    receivers.map((r) =>
      until(
        async () => {
          const { files } = await poolnet<{ files: FileJson[] }>(r.dataDir, ['files', pool.id]);
          return files.some((f) => f.id === file.id && f.seedersOnline > 0);
        },
        `${r.name} to list ${file.id}`,
        timeoutMs,
        500,
      ),
    ),
  );
  const cliStart = performance.now();
  await poolnet(seeder.dataDir, ['status']);
  log(
    `shared ${file.name} as ${file.id}; every receiver lists it. One CLI command takes ` +
      `${Math.round(performance.now() - cliStart)} ms on its own (part of poolnetMs)`,
  );

  const statsOf = (d: Device) =>
    localGet<FileStats>(d.dataDir, `/v1/files/stats?pool=${encodeURIComponent(pool.id)}`);
  const sampler = new RssSampler(devices.map((d) => d.pid));
  const progress = setInterval(() => {
    void Promise.all(receivers.map((r) => statsOf(r).then((s) => s.chunksReceived ?? 0))).then(
      (counts) => log(`chunks received so far: ${counts.join(' ')}`),
      () => undefined,
    );
  }, 5000).unref();

  const cpuBefore = await Promise.all(devices.map((d) => cpuSeconds(d.pid)));
  sampler.start();
  const started = performance.now();
  let answers: Array<{ path: string; sha256: string; dir: string }>;
  try {
    answers = await Promise.all(
      receivers.map(async (r) => {
        const dir = join(root, 'poolnet-downloads', r.name);
        await mkdir(dir, { recursive: true });
        const answer = await poolnet<{ path: string; sha256: string }>(
          r.dataDir,
          ['download', pool.id, file.id, '--to', dir],
          timeoutMs,
        );
        log(`${r.name}: download returned after ${Math.round(performance.now() - started)} ms`);
        return { ...answer, dir };
      }),
    );
  } catch (err) {
    await sampler.stop();
    log(`a download failed after ${Math.round(performance.now() - started)} ms: ${String(err)}`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let a dying daemon's exit land
    for (const d of devices.filter((x) => !x.child.running)) {
      log(
        `${d.name}'s daemon exited (${d.child.exitStatus ?? '?'}); its stderr ends:\n${d.child.stderr}`,
      );
    }
    await logStats(devices, statsOf, log);
    throw err;
  } finally {
    clearInterval(progress);
  }
  const ms = performance.now() - started;
  const peaks = await sampler.stop();
  const cpuAfter = await Promise.all(devices.map((d) => cpuSeconds(d.pid)));
  const cpu = devices.map((d, i) => {
    const used = (cpuAfter[i] ?? NaN) - (cpuBefore[i] ?? NaN);
    return `${d.name} ${used.toFixed(1)} s`;
  });
  log(`CPU time during the transfer (${(ms / 1000).toFixed(1)} s wall): ${cpu.join(', ')}`);

  for (const [i, answer] of answers.entries()) {
    const name = receivers[i]?.name ?? '?';
    if (answer.sha256 !== options.sha256) {
      throw new Error(`${name} answered sha256 ${answer.sha256}, the file is ${options.sha256}`);
    }
    if (!answer.path.startsWith(answer.dir)) {
      throw new Error(`${name} saved to ${answer.path}, not in ${answer.dir}`);
    }
    const onDisk = await sha256File(answer.path);
    if (onDisk !== options.sha256) {
      throw new Error(`${name}: ${answer.path} hashes to ${onDisk}, not ${options.sha256}`);
    }
  }
  log(`every download verified (answer and file on disk)`);
  if (options.ignoreUnhandledRejections) {
    const survived = devices.map((d) => `${d.name}=${d.child.stderrCount(SURVIVED)}`);
    log(`unhandled rejections survived (daemons would have crashed): ${survived.join(' ')}`);
  }

  const stats = await logStats(devices, statsOf, log);
  return {
    ms,
    seederPeakRssBytes: peaks.get(seeder.pid) ?? 0,
    receiverPeakRssBytes: Math.max(0, ...receivers.map((r) => peaks.get(r.pid) ?? 0)),
    stats,
  };
}

async function startServer(options: PoolnetRunOptions): Promise<string> {
  const port = await freePort();
  const config = join(options.root, 'server-config.json');
  await writeFile(
    config,
    JSON.stringify({
      rateLimits: {
        register: OPEN_LIMITS,
        'sign-in': OPEN_LIMITS,
        'add-device': OPEN_LIMITS,
        join: OPEN_LIMITS,
      },
    }),
  );
  const server = options.children.start(
    'sync-server',
    process.execPath,
    [
      POOLNET_BIN,
      'server',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      join(options.root, 'server'),
      '--stun-port',
      '0',
      '--config',
      config,
      '--log-level',
      'warn',
      '--json',
    ],
    { env: POOLNET_ENV },
  );
  await server.waitFor((line) => jsonField(line, 'wsUrl'), 'server URL', 60_000);
  return `http://127.0.0.1:${port}`;
}

async function startDaemon(
  options: PoolnetRunOptions,
  serverUrl: string,
  name: string,
): Promise<Device> {
  const dataDir = join(options.root, 'daemons', name);
  const child = options.children.start(
    name,
    process.execPath,
    [
      ...(options.ignoreUnhandledRejections ? ['--import', REJECTION_GUARD] : []),
      // POOLNET_BENCH_CPU_PROF=DIR: each daemon writes a V8 CPU profile there when it stops.
      ...(process.env.POOLNET_BENCH_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.POOLNET_BENCH_CPU_PROF]
        : []),
      POOLNET_BIN,
      'up',
      '--server',
      serverUrl,
      '--data',
      dataDir,
      '--json',
    ],
    { env: POOLNET_ENV },
  );
  child.countStderr(SURVIVED);
  await child.waitFor((line) => jsonField(line, 'port'), 'daemon port', 60_000);
  // daemon.json is written before `up` prints its port; its pid is the daemon's process.
  const info = JSON.parse(await readFile(join(dataDir, 'daemon.json'), 'utf8')) as { pid: number };
  if (info.pid !== child.pid)
    options.log(`${name}: daemon pid ${info.pid}, started as ${child.pid}`);
  return { name, dataDir, pid: info.pid, child };
}

/** The field of a JSON stdout line, when the line is JSON and has it. */
function jsonField(line: string, field: string): unknown {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return typeof parsed === 'object' && parsed !== null ? parsed[field] : undefined;
  } catch {
    return undefined;
  }
}

async function logStats(
  devices: readonly Device[],
  statsOf: (d: Device) => Promise<FileStats>,
  log: (text: string) => void,
): Promise<Array<{ name: string; stats: FileStats }>> {
  const all = await Promise.all(
    devices.map(async (d) => ({
      name: d.name,
      stats: await statsOf(d).catch((): FileStats => ({})),
    })),
  );
  for (const { name, stats } of all) {
    log(
      `stats ${name}: served ${stats.chunksServed ?? '?'}, served as relay ` +
        `${stats.chunksServedAsRelay ?? '?'} (${stats.requestsAnsweredAsRelay ?? '?'} requests), ` +
        `cached ${stats.chunksCached ?? '?'}, cache hits ${stats.cacheHits ?? '?'}, received ` +
        `${stats.chunksReceived ?? '?'}, bad ${stats.badChunks ?? '?'}, unheld requested ` +
        `${stats.unheldRequested ?? '?'}`,
    );
  }
  return all;
}
