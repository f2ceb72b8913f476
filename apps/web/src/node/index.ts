/**
 * The browser node: an engine running in this page (see browser-backend.ts). One IndexedDB
 * database per server, so a page that talks to two servers keeps two separate devices; and
 * one tab at a time per server (a Web Lock), since two tabs would be one device twice.
 */
import { RecordStore, openDeviceStore } from '@poolnet/store-browser';
import { type Backend, BackendError } from '../api/backend.js';
import { BrowserAccount } from './account.js';
import { BrowserBackend } from './browser-backend.js';

/** How long a new tab waits for the lock (a reloading tab releases it as it unloads). */
const LOCK_WAIT_MS = 3000;

export async function createBrowserBackend(serverUrl: string): Promise<Backend> {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch {
    throw new BackendError('BAD_REQUEST', `not a server address: ${serverUrl}`, 400);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new BackendError('BAD_REQUEST', `not an http(s) server address: ${serverUrl}`, 400);
  }
  const origin = base.origin;
  await holdTabLock(`poolnet-node:${origin}`);
  let db: IDBDatabase;
  try {
    db = await openDeviceStore(`poolnet:${origin}`);
  } catch (err) {
    throw new BackendError('NO_STORAGE', `this browser cannot keep data: ${String(err)}`);
  }
  const records = new RecordStore(db);
  const account = await BrowserAccount.load(records, origin);
  const backend = new BrowserBackend(account, db, records);
  await backend.start();
  return backend;
}

/** Takes the lock for as long as this page lives; `OPEN_ELSEWHERE` when another tab keeps it. */
function holdTabLock(name: string): Promise<void> {
  const locks = (globalThis as { navigator?: Navigator }).navigator?.locks;
  if (!locks) return Promise.resolve(); // no Web Locks: nothing to guard with
  return new Promise((resolve, reject) => {
    locks
      .request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
        resolve();
        return new Promise<void>(() => undefined); // held until the page goes
      })
      .catch(() =>
        reject(
          new BackendError(
            'OPEN_ELSEWHERE',
            'Poolnet is already open in another tab of this browser: use that tab, or close it and reload this one.',
          ),
        ),
      );
  });
}
