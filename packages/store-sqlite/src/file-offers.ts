import {
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  asFileId,
  asNodeId,
  asPoolId,
  type FileId,
  type NodeId,
  type PoolId,
} from '@poolnet/protocol';
import {
  checkedFileName,
  checkedId,
  checkedInteger,
  checkedLocalPath,
  checkedSha256,
} from './checks.js';
import { type Row, bytes, integer, optionalText, readableRows, text, toBlob } from './columns.js';
import type { DeviceDatabase } from './device-database.js';
import { StoreError } from './errors.js';

/** A file offered in a pool, as this device first saw the offer. */
export interface FileOffer {
  readonly poolId: PoolId;
  readonly fileId: FileId;
  /** The node that offered it (and holds the whole file). */
  readonly originNode: NodeId;
  /** A single file name, as the wire allows. */
  readonly name: string;
  readonly size: number;
  readonly sha256: Uint8Array;
  readonly chunkSize: number;
  /** The origin's clock (ms), for display. */
  readonly offeredAt: number;
  readonly retracted: boolean;
  /** Where the file is on this device: set only on this device's own offers. */
  readonly localPath: string | null;
}

export type NewFileOffer = Omit<FileOffer, 'retracted' | 'localPath'> & {
  readonly localPath?: string;
};

const COLUMNS =
  'pool_id, file_id, origin_node, name, size, sha256, chunk_size, offered_at, retracted, local_path';
/**
 * Numbered after the pool's newest offer. An offer never changes once recorded: a second one
 * for the same file is ignored.
 */
const INSERT = `
  INSERT INTO file_offers
    (pool_id, seq, file_id, origin_node, name, size, sha256, chunk_size, offered_at, local_path)
  SELECT @pool, coalesce(max(seq), 0) + 1,
    @file, @origin, @name, @size, @sha256, @chunkSize, @offeredAt, @localPath
  FROM file_offers WHERE pool_id = @pool
  ON CONFLICT (pool_id, file_id) DO NOTHING`;
const SELECT_ONE = `SELECT ${COLUMNS} FROM file_offers WHERE pool_id = ? AND file_id = ?`;
const SELECT_LIVE = `
  SELECT ${COLUMNS} FROM file_offers WHERE pool_id = ? AND retracted = 0 ORDER BY seq`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM file_offers WHERE pool_id = ? ORDER BY seq`;
const SELECT_MINE = `
  SELECT ${COLUMNS} FROM file_offers
  WHERE local_path IS NOT NULL AND retracted = 0 AND (@pool IS NULL OR pool_id = @pool)
  ORDER BY pool_id, seq`;
const RETRACT = `
  UPDATE file_offers SET retracted = 1 WHERE pool_id = ? AND file_id = ? AND retracted = 0`;

/** The file offers seen in each pool (table `file_offers`), in arrival order. */
export class FileOffers {
  constructor(private readonly db: DeviceDatabase) {}

  /** Records an offer; false (and nothing changes) if this file was already offered here. */
  record(offer: NewFileOffer): boolean {
    return this.db.guard('record file offer', () => {
      const chunkSize = checkedInteger(offer.chunkSize, 'chunkSize');
      if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
        throw new StoreError(
          'INVALID_ARGUMENT',
          `chunkSize: not in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`,
        );
      }
      const localPath =
        offer.localPath === undefined ? null : checkedLocalPath(offer.localPath, 'localPath');
      const changes = this.db.prepare(INSERT).run({
        pool: checkedId(offer.poolId, 'poolId'),
        file: checkedId(offer.fileId, 'fileId'),
        origin: checkedId(offer.originNode, 'originNode'),
        name: checkedFileName(offer.name, 'name'),
        size: checkedInteger(offer.size, 'size'),
        sha256: toBlob(checkedSha256(offer.sha256, 'sha256')),
        chunkSize,
        offeredAt: checkedInteger(offer.offeredAt, 'offeredAt'),
        localPath,
      }).changes;
      return changes === 1;
    });
  }

  get(poolId: PoolId, fileId: FileId): FileOffer | undefined {
    return this.db.guard('get file offer', () => {
      const row = this.db.prepare(SELECT_ONE).get(poolId, fileId) as Row | undefined;
      return row === undefined ? undefined : toFileOffer(row);
    });
  }

  /** A pool's offers in the order they arrived; retracted ones only when asked for. */
  list(poolId: PoolId, options: { includeRetracted?: boolean } = {}): FileOffer[] {
    return this.db.guard('list file offers', () =>
      readableRows(
        this.db.prepare(options.includeRetracted === true ? SELECT_ALL : SELECT_LIVE).all(poolId),
        toFileOffer,
      ),
    );
  }

  /** This device's own live offers (they have a local path), in one pool or all (by pool). */
  mine(poolId?: PoolId): FileOffer[] {
    return this.db.guard('list own file offers', () =>
      readableRows(this.db.prepare(SELECT_MINE).all({ pool: poolId ?? null }), toFileOffer),
    );
  }

  /**
   * Marks an offer retracted; it stays listed with `includeRetracted`. False when the offer
   * is unknown or was already retracted. A retraction is final.
   */
  retract(poolId: PoolId, fileId: FileId): boolean {
    return this.db.guard(
      'retract file offer',
      () => this.db.prepare(RETRACT).run(poolId, fileId).changes === 1,
    );
  }
}

function toFileOffer(row: Row): FileOffer {
  return {
    poolId: asPoolId(text(row, 'pool_id')),
    fileId: asFileId(text(row, 'file_id')),
    originNode: asNodeId(text(row, 'origin_node')),
    name: text(row, 'name'),
    size: integer(row, 'size'),
    sha256: bytes(row, 'sha256'),
    chunkSize: integer(row, 'chunk_size'),
    offeredAt: integer(row, 'offered_at'),
    retracted: integer(row, 'retracted') === 1,
    localPath: optionalText(row, 'local_path'),
  };
}
