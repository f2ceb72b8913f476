import type { ChunkStore } from '@poolnet/engine';
import { MAX_CHUNK_SIZE, type FileId } from '@poolnet/protocol';
import { checkedBytes, checkedId, checkedInteger } from './checks.js';
import { type Row, bytes, toBlob } from './columns.js';
import type { DeviceDatabase } from './device-database.js';

/** A chunk fetched again (after a corrupt one) replaces the one held. */
const PUT = `
  INSERT INTO chunks (file_id, idx, data) VALUES (?, ?, ?)
  ON CONFLICT (file_id, idx) DO UPDATE SET data = excluded.data`;
const SELECT = 'SELECT data FROM chunks WHERE file_id = ? AND idx = ?';
const EXISTS = 'SELECT EXISTS (SELECT 1 FROM chunks WHERE file_id = ? AND idx = ?)';
const DELETE = 'DELETE FROM chunks WHERE file_id = ?';

/**
 * The engine's `ChunkStore` on the device database (table `chunks`): the chunk bytes as
 * BLOBs keyed by file id and index, for every pool of the device (file ids are global). Plain
 * on purpose; the file transfer work may move the bytes to files on disk, and a bounded cache
 * wraps a store as a decorator rather than living in it.
 */
export class SqliteChunkStore implements ChunkStore {
  constructor(private readonly db: DeviceDatabase) {}

  async put(file: FileId, index: number, data: Uint8Array): Promise<void> {
    this.db.guard('put chunk', () => {
      this.db
        .prepare(PUT)
        .run(
          checkedId(file, 'file'),
          checkedInteger(index, 'index'),
          toBlob(checkedBytes(data, 'data', 0, MAX_CHUNK_SIZE)),
        );
    });
  }

  async get(file: FileId, index: number): Promise<Uint8Array | undefined> {
    return this.db.guard('get chunk', () => {
      const row = this.db.prepare(SELECT).get(file, index) as Row | undefined;
      return row === undefined ? undefined : bytes(row, 'data');
    });
  }

  async has(file: FileId, index: number): Promise<boolean> {
    return this.db.guard('has chunk', () => this.db.prepare(EXISTS).pluck().get(file, index) === 1);
  }

  async delete(file: FileId): Promise<void> {
    this.db.guard('delete chunks', () => {
      this.db.prepare(DELETE).run(file);
    });
  }
}
