/**
 * Which backend this page runs on, from `/app-config.json`: the daemon answers
 * `{"mode":"desktop"}`, the sync server `{"mode":"browser","serverUrl":"…"}`.
 */
import { BackendError } from './backend.js';

export type AppConfig = { mode: 'desktop' } | { mode: 'browser'; serverUrl: string };

export async function loadAppConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  let body: unknown;
  try {
    const res = await fetchImpl('/app-config.json', { cache: 'no-store' });
    body = await res.json();
  } catch {
    throw new BackendError(
      'NO_CONFIG',
      'This page cannot tell whether a daemon or a server sent it.',
    );
  }
  const config = body as { mode?: unknown; serverUrl?: unknown };
  if (config.mode === 'desktop') return { mode: 'desktop' };
  if (config.mode === 'browser' && typeof config.serverUrl === 'string') {
    return { mode: 'browser', serverUrl: config.serverUrl };
  }
  throw new BackendError('NO_CONFIG', 'The app configuration is not one this page understands.');
}
