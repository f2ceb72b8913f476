/**
 * The sync server's signalling at scale: `npm run bench:server -- --nodes 10000`.
 *
 * Starts the server as a child process (`server-process.ts`: SQLite in a fresh temp dir, or
 * PostgreSQL in a fresh schema; ephemeral ports on 127.0.0.1), sets up one account, device,
 * signing key and pool membership per node over the HTTP API (not timed), then this process
 * becomes the load generator: it opens one WebSocket per node and joins them all, at most
 * `--concurrency` at a time (timed). It prints one JSON line on stdout
 * `{"nodes","joinsPerSec","rssMB","p99UpdateMs"}`; everything else goes to stderr. See
 * bench/README.md for what each figure measures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { summarizeProfile } from './profile-summary.js';
import { ServerChild } from './server-child.js';
import { setUp } from './setup.js';
import { SignalLoad } from './signal-load.js';

const ORIGIN = 'http://localhost:5173';
/** File descriptors this process needs besides one per connection. */
const SPARE_FDS = 200;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '10' },
    'setup-concurrency': { type: 'string', default: '16' },
    pools: { type: 'string', default: '1' },
    'database-url': { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
    hold: { type: 'string', default: '0' },
    'cpu-prof': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

function integer(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be an integer in [${min}, ${max}], got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const nodes = integer('nodes', values.nodes, 1, 1_000_000);
const concurrency = integer('concurrency', values.concurrency, 1, 100_000);
const setupConcurrency = integer('setup-concurrency', values['setup-concurrency'], 1, 1000);
const pools = integer('pools', values.pools, 1, nodes);
const holdSeconds = integer('hold', values.hold, 0, 86_400);
const databaseUrl = values['database-url'];
if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  process.stderr.write('--database-url must start with postgres:// or postgresql://\n');
  process.exit(2);
}

const log = (text: string) => process.stderr.write(`[bench:server] ${text}\n`);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const pct = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

/** This process holds one socket per node: check the open-files limit before starting. */
async function checkFileLimit(): Promise<void> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  if (soft === undefined || soft === 'unlimited') return;
  if (Number(soft) < nodes + SPARE_FDS) {
    throw new Error(
      `${nodes} nodes need about ${nodes + SPARE_FDS} open files per process, the limit is ` +
        `${soft}: raise it (ulimit -n) or run fewer nodes`,
    );
  }
}

/** A fresh schema for the run and the URL that selects it (libpq `options`). */
async function freshSchema(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: withSchema.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

const cleanup: (() => Promise<unknown>)[] = [];
async function runCleanup(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) {
    await step().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}
process.once('uncaughtException', (err) => {
  log(`failed: ${err.stack ?? err.message}`);
  void runCleanup().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void runCleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<Record<string, unknown>> {
  await checkFileLimit();
  const dataDir = await mkdtemp(join(tmpdir(), 'poolnet-bench-server-'));
  cleanup.push(async () => {
    if (values['keep-data']) log(`data kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  });
  let storeUrl: string | undefined;
  if (databaseUrl !== undefined) {
    const fresh = await freshSchema(databaseUrl);
    storeUrl = fresh.url;
    cleanup.push(async () => {
      if (values['keep-data']) log(`schema kept: ${fresh.url}`);
      else await fresh.drop();
    });
  }

  const server = await ServerChild.start({ dataDir, databaseUrl: storeUrl, origin: ORIGIN });
  cleanup.push(() => server.stop());
  log(
    `server pid ${server.pid} at ${server.url} (${storeUrl === undefined ? 'SQLite' : 'PostgreSQL'})`,
  );

  const setupStart = performance.now();
  let nextReport = setupStart + 5000;
  const benchNodes = await setUp(
    { url: server.url, origin: ORIGIN, nodes, pools, concurrency: setupConcurrency },
    (done) => {
      if (performance.now() < nextReport) return;
      nextReport += 5000;
      log(`setup: ${done}/${nodes} nodes registered`);
    },
  );
  const setupMs = performance.now() - setupStart;
  const beforeJoin = await server.memory();
  log(
    `setup: ${nodes} users registered, keyed and in ${pools} pool(s) in ${(setupMs / 1000).toFixed(1)} s ` +
      `(${Math.round((nodes / setupMs) * 1000)}/s); server RSS ${beforeJoin.rssMB.toFixed(0)} MB`,
  );

  let [lastJoined, lastAt] = [0, performance.now()];
  await server.command({ cmd: 'loop-delay' });
  const profileDir = values['cpu-prof'];
  if (profileDir !== undefined) await server.command({ cmd: 'cpu-start' });
  const load = new SignalLoad({
    url: server.url,
    wsUrl: server.wsUrl,
    nodes: benchNodes,
    concurrency,
    progress: (joined) => {
      if (joined % 1000 !== 0 && joined !== nodes) return;
      const now = performance.now();
      const rate = Math.round(((joined - lastJoined) / (now - lastAt)) * 1000);
      [lastJoined, lastAt] = [joined, now];
      void server.command<{ max: number }>({ cmd: 'loop-delay' }).then(
        (delay) =>
          log(
            `join: ${joined}/${nodes} joined, ${rate}/s lately; server event-loop delay max ${delay.max} ms`,
          ),
        () => undefined,
      );
    },
  });
  // Stop the server before dropping the sockets, or it announces every departure.
  cleanup.push(async () => {
    load.quiet();
    await server.stop();
    load.terminate();
  });
  const serverCpuBefore = await server.cpuMs();
  const ownCpuBefore = process.cpuUsage();
  const result = await load.join();
  const serverCpuMs = (await server.cpuMs()) - serverCpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const ownCpuMs = (ownCpu.user + ownCpu.system) / 1000;
  let profilePath: string | undefined;
  if (profileDir !== undefined) {
    profilePath = join(profileDir, `sync-server-join-${nodes}-${Date.now()}.cpuprofile`);
    await server.command({ cmd: 'cpu-stop', path: profilePath });
  }

  const memory = await server.memory();
  const heap = await server.command<NodeJS.MemoryUsage>({ cmd: 'memory' });
  log(
    `join: ${nodes} nodes in ${(result.phaseMs / 1000).toFixed(2)} s = ${result.joinsPerSec} joins/s ` +
      `(concurrency ${concurrency}); CPU busy: server ${pct(serverCpuMs, result.phaseMs)}, ` +
      `load generator ${pct(ownCpuMs, result.phaseMs)}`,
  );
  log(
    `join → own joined: p50 ${result.joinedMs.p50} ms, p99 ${result.joinedMs.p99} ms; ` +
      `join → neighbour position: n=${result.neighbourUpdateMs.count} p50 ${result.neighbourUpdateMs.p50} ms, ` +
      `p99 ${result.neighbourUpdateMs.p99} ms; connect → joined p99 ${result.connectToJoinedMs.p99} ms`,
  );
  log(
    `frames received: ${JSON.stringify(result.framesByKind)}, ${mb(result.bytesReceived)} MB; ` +
      `barrier heartbeat RTT p99 ${result.barrierRttMs.p99} ms; ` +
      `${result.refreshedTokens} access tokens refreshed before connecting`,
  );
  log(
    `server memory with ${nodes} connected: RSS ${memory.rssMB.toFixed(0)} MB, peak ${memory.peakRssMB.toFixed(0)} MB; ` +
      `heap used ${mb(heap.heapUsed)} / total ${mb(heap.heapTotal)} MB, external ${mb(heap.external)} MB, ` +
      `array buffers ${mb(heap.arrayBuffers)} MB`,
  );
  if (profilePath !== undefined) log(await summarizeProfile(profilePath));
  if (result.unmatchedUpdates > 0) log(`warning: ${result.unmatchedUpdates} unmatched updates`);

  if (holdSeconds > 0) {
    log(`holding ${nodes} connections for ${holdSeconds} s`);
    await load.hold(holdSeconds * 1000);
    const held = await server.memory();
    log(`after hold: RSS ${held.rssMB.toFixed(0)} MB, peak ${held.peakRssMB.toFixed(0)} MB`);
  }

  const line: Record<string, unknown> = {
    nodes,
    joinsPerSec: result.joinsPerSec,
    rssMB: Math.round(memory.peakRssMB),
    p99UpdateMs: result.updateMs.p99,
  };
  if (values.verbose) {
    Object.assign(line, {
      pools,
      concurrency,
      store: storeUrl === undefined ? 'sqlite' : 'postgres',
      setupMs: Math.round(setupMs),
      phaseMs: result.phaseMs,
      serverCpuPct: Math.round((100 * serverCpuMs) / result.phaseMs),
      loadGeneratorCpuPct: Math.round((100 * ownCpuMs) / result.phaseMs),
      currentRssMB: Math.round(memory.rssMB),
      heapUsedMB: mb(heap.heapUsed),
      updateMs: result.updateMs,
      joinedMs: result.joinedMs,
      neighbourUpdateMs: result.neighbourUpdateMs,
      connectToJoinedMs: result.connectToJoinedMs,
      framesByKind: result.framesByKind,
      bytesReceived: result.bytesReceived,
    });
  }
  return line;
}

let exitCode = 0;
try {
  const line = await main();
  await runCleanup();
  process.stdout.write(`${JSON.stringify(line)}\n`);
} catch (err) {
  exitCode = 1;
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await runCleanup();
}
// Keep-alive HTTP sockets and timers would hold the process open; the line is written.
process.stdout.write('', () => process.exit(exitCode));
