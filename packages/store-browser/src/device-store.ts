/**
 * The database of a browser device: one IndexedDB database per origin and server, holding
 * every pool's messages (`messages`, key = arrival number) and small records (`records`).
 * Versioned like the SQLite store's migrations: each version adds, never rewrites.
 */
import { openDatabase } from './idb.js';

export const MESSAGES = 'messages';
export const RECORDS = 'records';
/** `[pool, id]`: unique, makes append idempotent. */
export const BY_POOL_ID = 'byPoolId';
/** `[pool, seq]`: arrival order within a pool. */
export const BY_POOL_SEQ = 'byPoolSeq';

const VERSION = 1;

export function openDeviceStore(name: string): Promise<IDBDatabase> {
  return openDatabase(name, VERSION, (db, oldVersion) => {
    if (oldVersion < 1) {
      const messages = db.createObjectStore(MESSAGES, { keyPath: 'seq', autoIncrement: true });
      messages.createIndex(BY_POOL_ID, ['pool', 'id'], { unique: true });
      messages.createIndex(BY_POOL_SEQ, ['pool', 'seq'], { unique: true });
      db.createObjectStore(RECORDS);
    }
  });
}
