/**
 * `poolnet server`: runs the sync server in the foreground. The flags become the same config
 * object apps/sync-server/src/main.ts builds from the environment, checked by the server's
 * own schema; the server package loads only when this command runs.
 */
import { readFile } from 'node:fs/promises';
import type { ServerConfigInput } from '@poolnet/sync-server';
import { defineCommand } from '../command.js';
import { CliError, EXIT, usageError } from '../errors.js';

/** A number when `text` is one; otherwise the text, so the schema names the bad field. */
function portValue(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

async function configFile(path: string | undefined): Promise<Record<string, unknown>> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw usageError(
      `--config ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      'server',
      cause,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`--config ${path}: not a JSON object`, 'server');
  }
  return parsed as Record<string, unknown>;
}

export const server = defineCommand({
  name: 'server',
  group: 'run',
  args: '[--port 8080] [--host 127.0.0.1] [--data ./data] [--database-url URL] [--rp-id localhost] [--origin URL]',
  summary: 'run a sync server in the foreground (Ctrl-C stops it)',
  details: [
    'Without --database-url the server keeps SQLite in its data directory. --origin may be',
    'given more than once (default http://localhost:PORT). --config FILE is a JSON file with',
    'any setting of the server config (tls, turn, stun, rateLimits…); flags override it.',
  ],
  options: {
    port: { type: 'string', value: 'PORT', description: 'HTTP and WebSocket port (default 8080)' },
    host: { type: 'string', value: 'HOST', description: 'bind address (default 127.0.0.1)' },
    data: {
      type: 'string',
      value: 'DIR',
      description: "the server's data directory (default ./data)",
    },
    'database-url': {
      type: 'string',
      value: 'URL',
      description: 'postgres://… selects PostgreSQL',
    },
    'rp-id': {
      type: 'string',
      value: 'HOST',
      description: 'WebAuthn relying-party id (default localhost)',
    },
    origin: {
      type: 'string',
      multiple: true,
      value: 'URL',
      description: 'an origin allowed to use passkeys (repeatable)',
    },
    'stun-port': {
      type: 'string',
      value: 'PORT',
      description: 'UDP port of the STUN responder (default 3478)',
    },
    config: { type: 'string', value: 'FILE', description: 'a JSON config file' },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      description: 'pino log level on stdout (default info)',
    },
  },
  async run(ctx, values) {
    const file = await configFile(values.config);
    const sync = await import('@poolnet/sync-server');
    const rp = (file.rp ?? {}) as Record<string, unknown>;
    const port = values.port === undefined ? (file.port ?? 8080) : portValue(values.port);
    const origins =
      values.origin !== undefined && values.origin.length > 0
        ? values.origin
        : (rp.origins ?? [`http://localhost:${String(port)}`, `http://127.0.0.1:${String(port)}`]);
    const stun =
      values['stun-port'] === undefined
        ? file.stun
        : { ...((file.stun ?? {}) as object), port: portValue(values['stun-port']) };
    const defined = (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
    const input = {
      ...file,
      ...defined({
        port,
        host: values.host,
        dataDir: values.data,
        databaseUrl: values['database-url'],
        logLevel: values['log-level'],
        stun,
        // The browser node's page at `/`: POOLNET_WEB_DIR, the config file's, or the built UI.
        webDir: process.env.POOLNET_WEB_DIR ?? file.webDir ?? sync.builtWebDir(),
      }),
      rp: { name: 'Poolnet', ...rp, id: values['rp-id'] ?? rp.id ?? 'localhost', origins },
    } as ServerConfigInput;

    let config;
    try {
      config = sync.parseServerConfig(input);
    } catch (err) {
      if (err instanceof sync.ConfigError) throw usageError(err.message, 'server', err);
      throw err;
    }
    let running;
    try {
      running = await sync.startPoolnetServer(config);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new CliError('SERVER_FAILED', `the server did not start: ${message}`, EXIT.refused, {
        cause,
      });
    }
    const data = config.databaseUrl === undefined ? config.dataDir : 'PostgreSQL';
    if (ctx.json) {
      ctx.out.jsonLine({
        url: running.url,
        wsUrl: running.wsUrl,
        stunPort: running.stunPort,
        data,
      });
    } else {
      ctx.out.line(`poolnet sync server: ${running.url}`);
      ctx.out.line(`  signalling: ${running.wsUrl}`);
      ctx.out.line(`  stun: udp port ${running.stunPort}`);
      ctx.out.line(`  data: ${data}`);
      ctx.out.line(`  devices: poolnet up --server ${config.rp.origins[0] ?? running.url}`);
    }
    const stop = new AbortController();
    const signal = await ctx.io.untilStopped(stop.signal);
    stop.abort();
    if (!ctx.json) ctx.out.line(ctx.out.style.dim(`${signal}: closing`));
    await running.close();
    return EXIT.ok;
  },
});
