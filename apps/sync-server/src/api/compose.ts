/**
 * The whole Poolnet server from one parsed config: the HTTP edge (`startSyncServer`) with
 * the auth service for identity, the device signing keys for certificates, and the auth,
 * pool and invite routes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthService } from '../auth/auth-service.js';
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
  const secret = await loadAuthSecret(join(config.dataDir, AUTH_SECRET_FILE));
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
    routes: ({ store, clock, hub }) => {
      auth = new AuthService(store, {
        rpId: config.rp.id,
        rpName: config.rp.name,
        origins: config.rp.origins,
        secret,
        clock,
        serverUrl: options.serverUrl ?? config.rp.origins[0],
      });
      signingKeys = new DeviceSigningKeys(store);
      return [...authRoutes(auth, signingKeys, hub), ...poolRoutes(auth, store, clock, hub)];
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
