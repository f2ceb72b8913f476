/**
 * Promise helpers over the raw IndexedDB API, the few a store needs: open with an upgrade
 * callback, await a request, await a transaction's end. Every failure is a
 * `BrowserStoreError` carrying the DOMException as its cause.
 */
import { BrowserStoreError } from './errors.js';

/** The result of one request. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(
        new BrowserStoreError('INTERNAL', `IndexedDB: ${String(request.error?.message)}`, {
          cause: request.error,
        }),
      );
  });
}

/** Resolves when the transaction commits; rejects when it aborts or fails. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    const fail = () =>
      reject(
        new BrowserStoreError('INTERNAL', `IndexedDB transaction: ${String(tx.error?.message)}`, {
          cause: tx.error,
        }),
      );
    tx.onerror = fail;
    tx.onabort = fail;
  });
}

/** Opens `name` at `version`, running `upgrade` when the stored version is older. */
export function openDatabase(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number) => void,
): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) {
    return Promise.reject(new BrowserStoreError('UNAVAILABLE', 'this page has no IndexedDB'));
  }
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      // Another tab wants a newer schema: let it, this one reloads to follow.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onblocked = () =>
      reject(new BrowserStoreError('BLOCKED', `${name} is held open by another tab`));
    request.onerror = () =>
      reject(
        new BrowserStoreError(
          'INTERNAL',
          `cannot open ${name}: ${String(request.error?.message)}`,
          {
            cause: request.error,
          },
        ),
      );
  });
}
