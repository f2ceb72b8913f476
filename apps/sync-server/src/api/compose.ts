/**
 * The whole Poolnet server from one parsed config: the HTTP edge (`startSyncServer`) with
 * the auth service for identity, the device signing keys for certificates, and the auth,
 * pool and invite routes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import type { PoolId } from '@poolnet/protocol';
import { AuthService } from '../auth/auth-service.js';
import {
  ClusterNode,
  clusterMetrics,
  clusterRoutes,
  standaloneHealthRoute,
} from '../cluster/index.js';
import { isAuthError } from '../auth/errors.js';
import type { ServerConfig } from '../http/config.js';
import { ConfigError } from '../http/errors.js';
import { type SyncServer, type SyncServerDeps, startSyncServer } from '../http/server.js';
import { authRoutes } from './auth-routes.js';
import { poolRoutes } from './pool-routes.js';
import { DeviceSigningKeys } from './signing-keys.js';

const SECRET_BYTES = 32;
export const AUTH_SECRET_FILE = 'auth.secret';

export interface PoolnetServerOptions {
  /** The server URL put into add-device QR payloads. Default: the first RP origin. */
  readonly serverUrl?: string;
  /** Passed to the edge (clock, hub limits, where INTERNAL causes go). */
  readonly deps?: Pick<SyncServerDeps, 'clock' | 'hubLimits' | 'onInternalError' | 'logger'>;
}

/** Starts the sync server with accounts, devices, pools and invites wired in. */
export async function startPoolnetServer(
  config: ServerConfig,
  options: PoolnetServerOptions = {},
): Promise<SyncServer> {
  if (config.cluster === undefined || config.databaseUrl === undefined) {
    return startInstance(config, options, undefined);
  }
  const logger =
    options.deps?.logger ??
    pino({
      level: config.logLevel,
      base: { service: 'poolnet-sync', instance: config.cluster.instanceId },
    });
  const cluster = await ClusterNode.start(config.cluster, config.databaseUrl, logger);
  try {
    const server = await startInstance(
      config,
      { ...options, deps: { ...options.deps, logger } },
      cluster,
    );
    let closing: Promise<void> | undefined;
    return {
      ...server,
      close: () => (closing ??= server.close().finally(() => cluster.close())),
    };
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

/**
 * [CL5] The secrets every instance must share (the token MAC key, the certificate
 * authority's seed) come from the cluster's table; this instance's files only seed it when
 * it is the first one.
 */
async function clusterSecrets(
  cluster: ClusterNode,
  config: ServerConfig,
  localSecret: Uint8Array,
): Promise<{ secret: Uint8Array; authorityKey: Uint8Array }> {
  const secret = await cluster.sharedSecret(
    'auth-secret',
    Buffer.from(localSecret).toString('base64url'),
  );
  const keyPath = config.authorityKeyPath ?? join(config.dataDir, 'authority.key');
  const localKey = await readFile(keyPath, 'utf8').then(
    (text) => text.trim(),
    () => randomBytes(32).toString('hex'),
  );
  if (!/^[0-9a-f]{64}$/i.test(localKey)) {
    throw new ConfigError([
      { path: 'authorityKeyPath', message: `${keyPath} does not hold a 64-digit hex seed` },
    ]);
  }
  const authorityKey = await cluster.sharedSecret('authority-key', localKey);
  if (!/^[0-9a-f]{64}$/i.test(authorityKey)) {
    throw new ConfigError([
      { path: 'cluster', message: 'the shared authority key is not 32 bytes' },
    ]);
  }
  return {
    secret: Uint8Array.from(Buffer.from(secret, 'base64url')),
    authorityKey: Uint8Array.from(Buffer.from(authorityKey, 'hex')),
  };
}

async function startInstance(
  config: ServerConfig,
  options: PoolnetServerOptions,
  cluster: ClusterNode | undefined,
): Promise<SyncServer> {
  const localSecret = await loadAuthSecret(join(config.dataDir, AUTH_SECRET_FILE));
  const shared = cluster && (await clusterSecrets(cluster, config, localSecret));
  const secret = shared?.secret ?? localSecret;
  let signingKeys: DeviceSigningKeys | undefined;
  // The store is opened by the edge and handed to `routes`, which runs before it listens.
  let auth: AuthService | undefined;
  const authService = (): AuthService => {
    if (auth === undefined) throw new Error('the auth service is not ready');
    return auth;
  };
  return startSyncServer(config, {
    ...options.deps,
    authenticate: async (token) => {
      try {
        const { userId, deviceId } = await authService().authenticate(token);
        return { userId, deviceId };
      } catch (err) {
        if (isAuthError(err, 'UNAUTHENTICATED') || isAuthError(err, 'EXPIRED')) return undefined;
        if (isAuthError(err, 'REVOKED')) return undefined;
        throw err;
      }
    },
    devicePublicKey: async ({ userId, nodeId }) => signingKeys?.get(userId, nodeId),
    ...(cluster && {
      router: cluster,
      authorityKey: shared?.authorityKey,
      extraMetrics: () => clusterMetrics(cluster.metrics()),
      metricLabels: { instance: cluster.instanceId },
      sharedRateLimit: (rateClass, address, limit) => cluster.takeRate(rateClass, address, limit),
    }),
    routes: ({ store, clock, hub: localHub }) => {
      cluster?.attach(localHub);
      // [SIG15] in a cluster: the connections to end may be on any instance.
      const hub = {
        disconnect: (...args: Parameters<typeof localHub.disconnect>) =>
          cluster ? cluster.disconnect(...args) : localHub.disconnect(...args),
        onlineDevices: cluster
          ? (poolIds: readonly PoolId[]) => cluster.onlineDevices(poolIds)
          : async (poolIds: readonly PoolId[]) =>
              new Map(
                poolIds.flatMap((id) => {
                  const live = localHub.topologyOf(id);
                  return live ? [[id, live.nodeIds()] as const] : [];
                }),
              ),
      };
      auth = new AuthService(store, {
        rpId: config.rp.id,
        rpName: config.rp.name,
        origins: config.rp.origins,
        secret,
        clock,
        serverUrl: options.serverUrl ?? config.rp.origins[0],
      });
      signingKeys = new DeviceSigningKeys(store);
      return [
        ...authRoutes(auth, signingKeys, hub),
        ...poolRoutes(auth, store, clock, hub),
        ...(cluster ? clusterRoutes(cluster) : [standaloneHealthRoute]),
      ];
    },
  });
}

/**
 * The token MAC secret: 32 random bytes (base64url) in `path`, created once with mode 0600
 * and reused on restart. A damaged file is a `ConfigError`, never silently replaced (that
 * would sign every device out).
 */
export async function loadAuthSecret(path: string): Promise<Uint8Array> {
  await mkdir(join(path, '..'), { recursive: true });
  try {
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(`${randomBytes(SECRET_BYTES).toString('base64url')}\n`);
    } finally {
      await file.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError([{ path: 'dataDir', message: `cannot create ${path}` }], {
        cause: err,
      });
    }
  }
  const text = (await readFile(path, 'utf8')).trim();
  const secret = Buffer.from(text, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(text) || secret.length < SECRET_BYTES) {
    throw new ConfigError([{ path: 'dataDir', message: `${path} is not a valid auth secret` }]);
  }
  return Uint8Array.from(secret);
}
