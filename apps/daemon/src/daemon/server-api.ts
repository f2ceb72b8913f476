/**
 * The daemon's client of the sync server's JSON API: `@poolnet/device`'s `ServerApi` (session,
 * token refresh, passkey sign-in, cluster failover), its failures as `DaemonError`s carrying
 * the server's code. The refresh token lives in account.json (through `onTokens`).
 */
import {
  type ServerErrors,
  type SessionHooks,
  ServerApi as DeviceServerApi,
} from '@poolnet/device';
import { DaemonError } from './errors.js';

export type { Json, SessionHooks, Tokens } from '@poolnet/device';

const daemonErrors: ServerErrors = {
  unreachable: (message, cause) => new DaemonError('SERVER_UNREACHABLE', message, { cause }),
  refused: (serverCode, serverStatus, message) =>
    new DaemonError('SERVER_REFUSED', message, { serverCode, serverStatus }),
  notSignedIn: () =>
    new DaemonError('NOT_SIGNED_IN', 'this device has no account: register or link it'),
};

export class ServerApi extends DeviceServerApi {
  /** `fallbacks`: other instances of the same cluster, tried after `baseUrl`. */
  constructor(
    baseUrl: string,
    hooks: SessionHooks,
    now: () => number = Date.now,
    fallbacks: readonly string[] = [],
  ) {
    super(baseUrl, hooks, { errors: daemonErrors, now, fallbacks });
  }
}
