import { asFileId, asPoolId, type FileId, type PoolId } from '@poolnet/protocol';
import {
  checkedId,
  checkedInteger,
  checkedLocalPath,
  checkedSha256,
  checkedText,
  clampedLimit,
} from './checks.js';
import {
  type Row,
  integer,
  optionalBytes,
  optionalInteger,
  optionalText,
  readableRows,
  text,
  toBlob,
} from './columns.js';
import type { DeviceDatabase } from './device-database.js';
import { StoreError } from './errors.js';

/**
 * `active` → `paused` → `active` … → `done` or `failed`. Done and failed are final until the
 * file is started again.
 */
export type DownloadState = 'active' | 'paused' | 'done' | 'failed';

export interface Download {
  readonly poolId: PoolId;
  readonly fileId: FileId;
  /** Where the verified file goes. */
  readonly targetPath: string;
  readonly state: DownloadState;
  readonly bytesDone: number;
  readonly startedAt: number;
  /** When it became done or failed; null while unfinished. */
  readonly finishedAt: number | null;
  /** The hash of the finished file, as verified; null until done. */
  readonly sha256: Uint8Array | null;
  /** Why it failed, for the user; null unless failed. */
  readonly failure: string | null;
}

export interface HistoryQuery {
  /** Only this pool's downloads. */
  readonly poolId?: PoolId;
  /** At most this many (default 50, at most 500). */
  readonly limit?: number;
  /** Skip this many of the newest first. */
  readonly offset?: number;
}

/** Longest failure text kept, in UTF-8 bytes. */
export const MAX_FAILURE_BYTES = 1024;

const STATES: readonly string[] = ['active', 'paused', 'done', 'failed'];
const COLUMNS =
  'pool_id, file_id, target_path, state, bytes_done, started_at, finished_at, sha256, failure';
const SELECT_ONE = `SELECT ${COLUMNS} FROM downloads WHERE pool_id = ? AND file_id = ?`;
/** A new download, or a finished one started again; an unfinished one is left alone. */
const START = `
  INSERT INTO downloads (pool_id, file_id, target_path, state, bytes_done, started_at)
  VALUES (?, ?, ?, 'active', 0, ?)
  ON CONFLICT (pool_id, file_id) DO UPDATE SET
    target_path = excluded.target_path, state = 'active', bytes_done = 0,
    started_at = excluded.started_at, finished_at = NULL, sha256 = NULL, failure = NULL
  WHERE downloads.state IN ('done', 'failed')`;
const PROGRESS = `
  UPDATE downloads SET bytes_done = ?
  WHERE pool_id = ? AND file_id = ? AND state IN ('active', 'paused')`;
const SET_STATE = `
  UPDATE downloads SET state = ? WHERE pool_id = ? AND file_id = ? AND state = ?`;
const FINISH = `
  UPDATE downloads SET state = 'done', bytes_done = ?, sha256 = ?, finished_at = ?
  WHERE pool_id = ? AND file_id = ? AND state IN ('active', 'paused')`;
const FAIL = `
  UPDATE downloads SET state = 'failed', failure = ?, finished_at = ?
  WHERE pool_id = ? AND file_id = ? AND state IN ('active', 'paused')`;
const REMOVE = 'DELETE FROM downloads WHERE pool_id = ? AND file_id = ?';
const SELECT_UNFINISHED = `
  SELECT ${COLUMNS} FROM downloads WHERE state IN ('active', 'paused')
  ORDER BY started_at, pool_id, file_id`;
const SELECT_HISTORY = `
  SELECT ${COLUMNS} FROM downloads WHERE @pool IS NULL OR pool_id = @pool
  ORDER BY started_at DESC, pool_id, file_id LIMIT @limit OFFSET @offset`;

/**
 * Downloads of this device (table `downloads`), one per file of a pool. Every change is a
 * conditional UPDATE on the current state, so a transition that is not allowed changes
 * nothing and throws `CONFLICT` (or `NOT_FOUND` when there is no such download).
 */
export class Downloads {
  constructor(private readonly db: DeviceDatabase) {}

  /** Starts a download, or starts a done or failed one again (from 0 bytes). */
  start(download: {
    poolId: PoolId;
    fileId: FileId;
    targetPath: string;
    startedAt: number;
  }): Download {
    return this.db.guard('start download', () => {
      const { poolId, fileId } = download;
      const changes = this.db
        .prepare(START)
        .run(
          checkedId(poolId, 'poolId'),
          checkedId(fileId, 'fileId'),
          checkedLocalPath(download.targetPath, 'targetPath'),
          checkedInteger(download.startedAt, 'startedAt'),
        ).changes;
      if (changes === 0) throw new StoreError('CONFLICT', 'the download is already running');
      return this.existing(poolId, fileId);
    });
  }

  get(poolId: PoolId, fileId: FileId): Download | undefined {
    return this.db.guard('get download', () => this.find(poolId, fileId));
  }

  /** Records progress of an active or paused download (the hot path: returns nothing). */
  progress(poolId: PoolId, fileId: FileId, bytesDone: number): void {
    this.db.guard('download progress', () => {
      const done = checkedInteger(bytesDone, 'bytesDone');
      if (this.db.prepare(PROGRESS).run(done, poolId, fileId).changes === 0) {
        this.refuse(poolId, fileId, 'progress');
      }
    });
  }

  pause(poolId: PoolId, fileId: FileId): Download {
    return this.move(poolId, fileId, 'active', 'paused');
  }

  resume(poolId: PoolId, fileId: FileId): Download {
    return this.move(poolId, fileId, 'paused', 'active');
  }

  /** An active (or paused: its last chunks were in flight) download is complete and verified. */
  finish(
    poolId: PoolId,
    fileId: FileId,
    result: { bytesDone: number; sha256: Uint8Array; finishedAt: number },
  ): Download {
    return this.db.guard('finish download', () => {
      const changes = this.db
        .prepare(FINISH)
        .run(
          checkedInteger(result.bytesDone, 'bytesDone'),
          toBlob(checkedSha256(result.sha256, 'sha256')),
          checkedInteger(result.finishedAt, 'finishedAt'),
          poolId,
          fileId,
        ).changes;
      if (changes === 0) this.refuse(poolId, fileId, 'finish');
      return this.existing(poolId, fileId);
    });
  }

  /** An active or paused download gave up. */
  fail(poolId: PoolId, fileId: FileId, result: { failure: string; finishedAt: number }): Download {
    return this.db.guard('fail download', () => {
      const changes = this.db
        .prepare(FAIL)
        .run(
          checkedText(result.failure, 'failure', 0, MAX_FAILURE_BYTES),
          checkedInteger(result.finishedAt, 'finishedAt'),
          poolId,
          fileId,
        ).changes;
      if (changes === 0) this.refuse(poolId, fileId, 'fail');
      return this.existing(poolId, fileId);
    });
  }

  /** Forgets a download (cancelled, or cleared from the history). False if unknown. */
  remove(poolId: PoolId, fileId: FileId): boolean {
    return this.db.guard(
      'remove download',
      () => this.db.prepare(REMOVE).run(poolId, fileId).changes === 1,
    );
  }

  /** Active and paused downloads, oldest first: what to resume after a restart. */
  unfinished(): Download[] {
    return this.db.guard('list unfinished downloads', () =>
      readableRows(this.db.prepare(SELECT_UNFINISHED).all(), toDownload),
    );
  }

  /** Downloads in every state, newest started first. */
  history(query: HistoryQuery = {}): Download[] {
    return this.db.guard('download history', () => {
      const params = {
        pool: query.poolId ?? null,
        limit: clampedLimit(query.limit, 50, 500),
        offset: query.offset === undefined ? 0 : checkedInteger(query.offset, 'offset'),
      };
      return readableRows(this.db.prepare(SELECT_HISTORY).all(params), toDownload);
    });
  }

  private move(poolId: PoolId, fileId: FileId, from: DownloadState, to: DownloadState): Download {
    return this.db.guard(`${to === 'paused' ? 'pause' : 'resume'} download`, () => {
      if (this.db.prepare(SET_STATE).run(to, poolId, fileId, from).changes === 0) {
        this.refuse(poolId, fileId, to === 'paused' ? 'pause' : 'resume');
      }
      return this.existing(poolId, fileId);
    });
  }

  /** Throws why a transition changed nothing: no such download, or the wrong state. */
  private refuse(poolId: PoolId, fileId: FileId, action: string): never {
    const current = this.find(poolId, fileId);
    if (current === undefined) throw new StoreError('NOT_FOUND', 'no such download');
    throw new StoreError('CONFLICT', `cannot ${action} a download that is ${current.state}`);
  }

  private find(poolId: PoolId, fileId: FileId): Download | undefined {
    const row = this.db.prepare(SELECT_ONE).get(poolId, fileId) as Row | undefined;
    return row === undefined ? undefined : toDownload(row);
  }

  private existing(poolId: PoolId, fileId: FileId): Download {
    const download = this.find(poolId, fileId);
    if (download === undefined) throw new StoreError('NOT_FOUND', 'no such download');
    return download;
  }
}

function toDownload(row: Row): Download {
  const state = text(row, 'state');
  if (!STATES.includes(state)) throw new StoreError('CORRUPT', 'stored state is not a state');
  return {
    poolId: asPoolId(text(row, 'pool_id')),
    fileId: asFileId(text(row, 'file_id')),
    targetPath: text(row, 'target_path'),
    state: state as DownloadState,
    bytesDone: integer(row, 'bytes_done'),
    startedAt: integer(row, 'started_at'),
    finishedAt: optionalInteger(row, 'finished_at'),
    sha256: optionalBytes(row, 'sha256'),
    failure: optionalText(row, 'failure'),
  };
}
