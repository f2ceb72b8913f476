/**
 * The sync server as the benchmark runs it: a child process of `main.ts`, started with
 * `node --import tsx server-process.ts --data DIR --origin URL [--database-url URL]`. It is `src/main.ts`
 * of @poolnet/sync-server with two differences: the rate limits are raised so that one
 * loopback address may register, join and connect thousands of times (the defaults are per
 * person, and the server has no environment variables for them), and both ports are
 * ephemeral. Everything else (hub limits, WebSocket buffer cap, certificate authority, store)
 * is the server's default.
 *
 * Talks to the parent over its pipes, one JSON object per line; on stdout, where the server
 * also logs, those lines start with REPLY_PREFIX and the parent passes the rest to stderr:
 * - stdout, once started: `{"url","wsUrl","pid"}`; then one reply per command.
 * - stdin, commands: `{"cmd":"memory"}` (process.memoryUsage()), `{"cmd":"loop-delay"}`
 *   (event-loop delay in ms since the last one: p50, p99, max), `{"cmd":"cpu-start"}`,
 *   `{"cmd":"cpu-stop","path":…}` (a V8 CPU profile of what ran in between, written to path).
 * It closes the server and exits on SIGTERM or SIGINT, and when stdin ends (the parent died).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RATE_CLASSES, parseServerConfig, startPoolnetServer } from '@poolnet/sync-server';
import { REPLY_PREFIX } from './server-child.js';

/** Far more than any run asks for: the limiter still runs, it just never refuses. */
const UNLIMITED = { burst: 100_000_000, perMinute: 100_000_000 };

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    'database-url': { type: 'string' },
    origin: { type: 'string' },
  },
});
if (values.data === undefined || values.origin === undefined) {
  process.stderr.write('server-process: --data DIR and --origin URL are required\n');
  process.exit(2);
}

const config = parseServerConfig({
  port: 0,
  host: '127.0.0.1',
  dataDir: values.data,
  databaseUrl: values['database-url'],
  stun: { port: 0, host: '127.0.0.1' },
  rp: { id: 'localhost', name: 'Poolnet bench', origins: [values.origin] },
  rateLimits: Object.fromEntries(RATE_CLASSES.map((name) => [name, UNLIMITED])),
});
const server = await startPoolnetServer(config, {
  deps: { onInternalError: (error) => console.error('server INTERNAL:', error) },
});
const reply = (value: unknown) => process.stdout.write(`${REPLY_PREFIX}${JSON.stringify(value)}\n`);
reply({ url: server.url, wsUrl: server.wsUrl, pid: process.pid });

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let profiler: Session | undefined;
async function command(line: string): Promise<unknown> {
  const { cmd, path } = JSON.parse(line) as { cmd?: string; path?: string };
  switch (cmd) {
    case 'memory':
      return process.memoryUsage();
    case 'loop-delay': {
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      const delay = {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      };
      loopDelay.reset();
      return delay;
    }
    case 'cpu-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      return { ok: true };
    case 'cpu-stop': {
      if (profiler === undefined || path === undefined) throw new Error('no profile running');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(path, JSON.stringify(profile));
      return { ok: true, path };
    }
    default:
      throw new Error(`unknown command ${String(cmd)}`);
  }
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

// Commands are answered in order, one line each.
let queue = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue.then(async () => {
      try {
        reply(await command(line));
      } catch (err) {
        reply({ error: err instanceof Error ? err.message : String(err) });
      }
    });
  })
  .on('close', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
