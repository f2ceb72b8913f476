/**
 * Small records by key (the account, its tokens, the signing key, held files, download
 * history). Values are structured-cloned by IndexedDB, so `Uint8Array`s survive as they are.
 */
import { RECORDS } from './device-store.js';
import { requestResult, transactionDone } from './idb.js';

export class RecordStore {
  constructor(private readonly db: IDBDatabase) {}

  async get<T>(key: string): Promise<T | undefined> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    return (await requestResult(tx.objectStore(RECORDS).get(key))) as T | undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).put(value, key);
    await transactionDone(tx);
  }

  async delete(key: string): Promise<void> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).delete(key);
    await transactionDone(tx);
  }

  /** Every record whose key starts with `prefix`. */
  async list<T>(prefix: string): Promise<Array<{ key: string; value: T }>> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const store = tx.objectStore(RECORDS);
    const [keys, values] = await Promise.all([
      requestResult(store.getAllKeys(range)),
      requestResult(store.getAll(range)),
    ]);
    return keys.map((key, i) => ({ key: String(key), value: values[i] as T }));
  }
}
