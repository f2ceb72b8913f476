/**
 * The sync server process: reads its settings from the environment once, starts, and stops
 * cleanly on SIGINT or SIGTERM. Run with `npm start -w @poolnet/sync-server`.
 *
 * POOLNET_PORT (8080), POOLNET_HOST (127.0.0.1), POOLNET_DATA (./data), POOLNET_DATABASE_URL
 * (absent: SQLite in the data dir), POOLNET_RP_ID (localhost), POOLNET_ORIGINS (comma
 * separated; default http://localhost:<port> and http://127.0.0.1:<port>, which devices on
 * this machine use), POOLNET_CONFIG (a JSON file with any setting
 * of the config schema — TLS, TURN, rate limits, STUN…; the variables above override it),
 * POOLNET_LOG_LEVEL (info; JSON log lines on stdout after the address lines), POOLNET_WEB_DIR
 * (the browser node's page served at `/`; default apps/web/dist when it is built).
 *
 * Cluster mode (docs/decisions/0009-sync-server-cluster.md): POOLNET_NATS_URL (nats://…;
 * needs POOLNET_DATABASE_URL), POOLNET_INSTANCE_ID (default: host name and port),
 * POOLNET_PUBLIC_URL (where devices reach this instance; default http://<host>:<port>), or
 * the `cluster` object of the config file.
 */
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startPoolnetServer } from './api/compose.js';
import { builtWebDir } from './http/web-app.js';
import { ConfigError } from './http/errors.js';
import { type ServerConfigInput, parseServerConfig } from './http/config.js';

/** The JSON config file named by POOLNET_CONFIG, or `{}`; unreadable or not JSON is a ConfigError. */
function configFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not a JSON object');
    }
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(
      [{ path: 'POOLNET_CONFIG', message: `cannot read ${path}: ${String(cause)}` }],
      {
        cause,
      },
    );
  }
}

function configFromEnv(env: NodeJS.ProcessEnv): ServerConfigInput {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const file = configFile(text('POOLNET_CONFIG'));
  const rp = (file.rp ?? {}) as Record<string, unknown>;
  const portText = text('POOLNET_PORT');
  // A non-number stays a string so the schema reports it by name.
  const port =
    portText === undefined
      ? (file.port ?? 8080)
      : /^\d+$/.test(portText)
        ? Number(portText)
        : portText;
  const origins = text('POOLNET_ORIGINS')
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '') ??
    rp.origins ?? [`http://localhost:${String(port)}`, `http://127.0.0.1:${String(port)}`];
  const defined = (entries: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  const fileCluster = file.cluster as Record<string, unknown> | undefined;
  const natsUrl = text('POOLNET_NATS_URL');
  const cluster =
    natsUrl === undefined && fileCluster === undefined
      ? undefined
      : {
          instanceId: `${hostname()
            .replace(/[^A-Za-z0-9_-]/g, '-')
            .slice(0, 40)}-${String(port)}`,
          publicUrl: `http://${text('POOLNET_HOST') ?? '127.0.0.1'}:${String(port)}`,
          ...fileCluster,
          ...defined({
            natsUrl,
            instanceId: text('POOLNET_INSTANCE_ID'),
            publicUrl: text('POOLNET_PUBLIC_URL'),
          }),
        };
  return {
    ...file,
    ...defined({
      port,
      host: text('POOLNET_HOST'),
      dataDir: text('POOLNET_DATA'),
      databaseUrl: text('POOLNET_DATABASE_URL'),
      logLevel: text('POOLNET_LOG_LEVEL'),
      cluster,
      // The browser node's page: POOLNET_WEB_DIR, the config file's, or apps/web/dist if built.
      webDir: text('POOLNET_WEB_DIR') ?? file.webDir ?? builtWebDir(),
    }),
    rp: { name: 'Poolnet', ...rp, id: text('POOLNET_RP_ID') ?? rp.id ?? 'localhost', origins },
  } as ServerConfigInput;
}

async function main(): Promise<void> {
  const config = parseServerConfig(configFromEnv(process.env));
  const logger = pino({ level: config.logLevel, base: { service: 'poolnet-sync' } });
  const server = await startPoolnetServer(config, { deps: { logger } });
  logger.info(
    {
      url: server.url,
      wsUrl: server.wsUrl,
      stunPort: server.stunPort,
      store: config.databaseUrl === undefined ? 'sqlite' : 'postgres',
      instance: config.cluster?.instanceId,
    },
    'listening',
  );
  console.log(`poolnet sync server: ${server.url}`);
  console.log(`  signalling: ${server.wsUrl}`);
  console.log(`  stun: udp port ${server.stunPort}`);
  console.log(`  data: ${config.databaseUrl === undefined ? config.dataDir : 'PostgreSQL'}`);
  if (config.cluster) {
    console.log(`  cluster: instance ${config.cluster.instanceId}, NATS ${config.cluster.natsUrl}`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
