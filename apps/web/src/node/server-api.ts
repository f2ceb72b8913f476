/**
 * The page's client of the sync server's JSON API: `@poolnet/device`'s `ServerApi` (session,
 * token refresh, passkey sign-in), refreshing the access token ahead of its expiry, its
 * failures as `BackendError`s carrying the server's code. The refresh token lives in IndexedDB
 * (through `onTokens`). It talks to the page's own origin only.
 */
import {
  type ServerErrors,
  type SessionHooks,
  ServerApi as DeviceServerApi,
} from '@poolnet/device';
import { BackendError } from '../api/backend.js';

export type { Json, SessionHooks, Tokens } from '@poolnet/device';

const pageErrors: ServerErrors = {
  unreachable: (message) => new BackendError('SERVER_UNREACHABLE', message),
  refused: (serverCode, status, message) => new BackendError(serverCode, message, status),
  notSignedIn: () =>
    new BackendError('NOT_SIGNED_IN', 'this browser has no account: register or link it', 409),
};

export class ServerApi extends DeviceServerApi {
  constructor(baseUrl: string, hooks: SessionHooks) {
    // Only its own origin: the page's CSP allows no other (see `discoverInstances`).
    super(baseUrl, hooks, { errors: pageErrors, refreshAhead: true, discoverInstances: false });
  }
}
