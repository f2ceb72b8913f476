/**
 * The sync-server cluster under join load: `npm run bench:cluster -- --instances 3 --nodes 30000`.
 *
 * Everything on 127.0.0.1, every part its own process: a `nats-server` child, a fresh
 * PostgreSQL database (dropped at the end), `--instances` sync-server instances in cluster
 * mode (`apps/sync-server/src/main.ts`), and one load-generator process per instance
 * (`load-worker.ts`, the `bench:server` join phase).
 *
 * 1. Setup, not timed: the `bench:server` setup over the HTTP API, through every instance at
 *    once (one user, device, signing key and membership per node; `--pools` pools in all).
 * 2. Cluster phase, timed: node i connects to instance i mod N (so most joins are forwarded
 *    to the pool's owner over NATS); `--concurrency` joins in flight in all. Time = from the
 *    order to go (workers already loaded) until every worker has all its nodes placed and a
 *    heartbeat round trip back on every connection.
 *    RSS of each instance is read from /proc with every node connected.
 * 3. Single-instance phase, timed the same way, in the same run: the cluster is stopped, one
 *    instance (same database and NATS) takes the same nodes (at most what one process may
 *    hold open: the open-files limit), the same number of workers and joins in flight.
 *
 * Prints one JSON line on stdout:
 * `{"instances","nodes","joinsPerSec","singleInstanceJoinsPerSec","rssMBPerInstance",…}`;
 * progress goes to stderr.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  InstanceProcess,
  NatsChild,
  TestDatabase,
  freePort,
} from '../../apps/sync-server/test/cluster/harness.js';
import { type BenchNode, setUp } from '../server/setup.js';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
/** Descriptors one instance keeps besides its sockets (database, NATS, files). */
const SPARE_FDS = 500;
const OPEN = { burst: 10_000_000, perMinute: 10_000_000 };

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '3000' },
    pools: { type: 'string' },
    concurrency: { type: 'string', default: '30' },
    'setup-concurrency': { type: 'string', default: '16' },
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

const instanceCount = integer('instances', values.instances, 1, 16);
const nodes = integer('nodes', values.nodes, 1, 1_000_000);
const pools = integer(
  'pools',
  values.pools ?? String(Math.min(nodes, Math.max(instanceCount * 4, Math.ceil(nodes / 100)))),
  1,
  nodes,
);
const concurrency = integer('concurrency', values.concurrency, 1, 100_000);
const setupConcurrency = integer('setup-concurrency', values['setup-concurrency'], 1, 1000);

const log = (text: string) => process.stderr.write(`[bench:cluster] ${text}\n`);

async function fileLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
}

async function rssMB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const cleanup: (() => Promise<unknown>)[] = [];
async function runCleanup(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) {
    await step().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void runCleanup().finally(() => process.exit(130)));
}

interface Phase {
  readonly joinsPerSec: number;
  readonly seconds: number;
  readonly rssMB: number[];
}

/**
 * One timed join phase: `workers` load processes, worker k taking the nodes i ≡ k (mod
 * workers) against `targets[k % targets.length]`. Stops the instances, then the workers.
 */
async function phase(
  label: string,
  targets: readonly InstanceProcess[],
  phaseNodes: readonly BenchNode[],
  workers: number,
): Promise<Phase> {
  const children: ChildProcess[] = [];
  const stopWorkers = () => {
    for (const child of children) {
      child.send({ type: 'quit' });
      child.disconnect();
    }
  };
  try {
    const ready: Promise<void>[] = [];
    const joined: Promise<void>[] = [];
    const shares: BenchNode[][] = [];
    for (let k = 0; k < workers; k++) {
      const share = phaseNodes.filter((_, i) => i % workers === k);
      shares.push(share);
      const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      children.push(child);
      const exited = new Promise<never>((_, reject) =>
        child.once('exit', (code) => reject(new Error(`worker ${k} exited ${String(code)}`))),
      );
      exited.catch(() => undefined);
      ready.push(
        Promise.race([
          exited,
          new Promise<void>((resolve) =>
            child.on('message', (m: { type: string }) => m.type === 'ready' && resolve()),
          ),
        ]),
      );
      joined.push(
        Promise.race([
          exited,
          new Promise<void>((resolve, reject) => {
            child.on('message', (m: { type: string; error?: string; phaseMs?: number }) => {
              if (m.type === 'joined') {
                log(`${label}: worker ${k} placed ${share.length} nodes in ${m.phaseMs} ms`);
                resolve();
              } else if (m.type === 'failed') reject(new Error(`worker ${k}: ${m.error}`));
            });
          }),
        ]),
      );
    }
    await Promise.all(ready);
    const started = performance.now();
    children.forEach((child, k) => {
      const target = targets[k % targets.length] as InstanceProcess;
      child.send({
        type: 'join',
        url: target.url,
        wsUrl: `${target.url.replace('http', 'ws')}/v1/signal`,
        nodes: shares[k],
        concurrency: Math.max(1, Math.round(concurrency / workers)),
      });
    });
    await Promise.all(joined);
    const seconds = (performance.now() - started) / 1000;
    const rss = await Promise.all(targets.map((t) => rssMB(t.child.pid)));
    log(
      `${label}: ${phaseNodes.length} nodes placed in ${seconds.toFixed(1)} s; RSS ${rss
        .map((r) => `${Math.round(r)} MB`)
        .join(', ')}`,
    );
    return { joinsPerSec: Math.round(phaseNodes.length / seconds), seconds, rssMB: rss };
  } finally {
    // Stop the instances before dropping the sockets, or they announce every departure.
    for (const target of targets) await target.kill('SIGTERM');
    stopWorkers();
    await Promise.all(
      children.map((child) => child.exitCode === null && new Promise((r) => child.once('exit', r))),
    );
  }
}

async function main(): Promise<Record<string, unknown>> {
  const root = await mkdtemp(join(tmpdir(), 'poolnet-bench-cluster-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const nats = await NatsChild.start();
  cleanup.push(() => nats.stop());
  const db = await TestDatabase.create();
  cleanup.push(() => db.drop());

  const ports = await Promise.all(Array.from({ length: instanceCount + 1 }, () => freePort()));
  const origins = ports.map((p) => `http://127.0.0.1:${p}`);
  const start = (index: number) =>
    InstanceProcess.start({
      id: index < instanceCount ? `bench${index}` : 'solo',
      port: ports[index] as number,
      dataDir: join(root, `instance${index}`),
      databaseUrl: db.url,
      natsUrl: nats.url,
      origins,
      logLevel: 'warn',
      config: { rateLimits: { register: OPEN, 'sign-in': OPEN, join: OPEN, 'add-device': OPEN } },
    });
  const cluster: InstanceProcess[] = [];
  for (let i = 0; i < instanceCount; i++) cluster.push(await start(i));
  cleanup.push(async () => {
    for (const instance of cluster) await instance.kill();
  });
  log(`${instanceCount} instances up on NATS ${nats.url}, database ${db.name}`);

  // Setup through every instance at once (each its own users and pools): N times faster.
  const setupStarted = performance.now();
  let nextReport = setupStarted + 10_000;
  let registered = 0;
  const groups = await Promise.all(
    cluster.map((instance, k) => {
      const groupNodes = Math.floor(nodes / instanceCount) + (k < nodes % instanceCount ? 1 : 0);
      const groupPools = Math.floor(pools / instanceCount) + (k < pools % instanceCount ? 1 : 0);
      if (groupNodes === 0) return Promise.resolve([]);
      return setUp(
        {
          url: instance.url,
          origin: instance.url,
          nodes: groupNodes,
          pools: Math.max(1, Math.min(groupNodes, groupPools)),
          concurrency: setupConcurrency,
        },
        () => {
          registered++;
          if (performance.now() < nextReport) return;
          nextReport += 10_000;
          log(`setup: ${registered}/${nodes} nodes registered`);
        },
      );
    }),
  );
  const benchNodes = groups.flat();
  log(
    `setup: ${nodes} nodes in ${pools} pools in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
  );

  const clustered = await phase('cluster', cluster, benchNodes, instanceCount);

  // The same nodes on one instance, as many as one process may hold open.
  const soloNodes = benchNodes.slice(
    0,
    Math.max(1, Math.min(nodes, (await fileLimit()) - SPARE_FDS)),
  );
  const solo = await start(instanceCount);
  cleanup.push(() => solo.kill());
  const single = await phase('single instance', [solo], soloNodes, instanceCount);

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    instances: instanceCount,
    nodes,
    joinsPerSec: clustered.joinsPerSec,
    singleInstanceJoinsPerSec: single.joinsPerSec,
    rssMBPerInstance: Math.round(mean(clustered.rssMB)),
    pools,
    concurrency,
    singleInstanceNodes: soloNodes.length,
    singleInstanceRssMB: Math.round(single.rssMB[0] ?? 0),
  };
}

main().then(
  async (result) => {
    await runCleanup();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  async (err: unknown) => {
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    await runCleanup();
    process.exit(1);
  },
);
