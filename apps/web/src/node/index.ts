/**
 * The browser node: an engine running in this page (placeholder until the browser-node work
 * lands; see apps/web/src/api/backend.ts for the contract).
 */
import { type Backend, BackendError } from '../api/backend.js';

export function createBrowserBackend(serverUrl: string): Promise<Backend> {
  return Promise.reject(
    new BackendError('NOT_AVAILABLE', `the in-page node for ${serverUrl} is not built yet`),
  );
}
