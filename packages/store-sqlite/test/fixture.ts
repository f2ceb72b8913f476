import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asMessageId, asNodeId } from '@poolnet/protocol';
import type { StoredMessage } from '@poolnet/engine';
import { type DeviceDatabase, openDeviceDatabase } from '../src/index.js';

/** Database files in a temporary directory; `cleanup` closes them all and removes it. */
export class TempDatabases {
  readonly root = mkdtempSync(join(tmpdir(), 'poolnet-store-sqlite-'));
  private readonly open: DeviceDatabase[] = [];
  private n = 0;

  /** A path for a new database file. */
  path(name = `db-${++this.n}`): string {
    return join(this.root, name, 'poolnet.db');
  }

  /** Opens (creating) a database; a fresh file unless `path` names an existing one. */
  db(path = this.path()): DeviceDatabase {
    const db = openDeviceDatabase(path);
    this.open.push(db);
    return db;
  }

  closeAll(): void {
    for (const db of this.open.splice(0)) db.close();
  }

  cleanup(): void {
    this.closeAll();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Message `n`: id `${prefix}${n}`, bytes filled with n. */
export const message = (n: number, prefix = 'm', size = 10): StoredMessage => ({
  id: asMessageId(`${prefix}${n}`),
  author: asNodeId('author'),
  createdAt: 1_000 + n,
  signed: new Uint8Array(size).fill(n & 0xff),
});

export const ids = (list: readonly StoredMessage[]): string[] => list.map((m) => m.id);
