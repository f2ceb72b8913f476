/**
 * The file events of a device (the daemon's events socket, the page's event stream) and the
 * record of a download that ended, built the same way on both.
 */
import { dataChunkCount } from '@poolnet/engine';
import type { FileInfo } from '@poolnet/protocol';
import type { Offer, OfferKind } from './offers.js';

export type FileEvent =
  | DownloadEvent
  | {
      type: 'offer';
      pool: string;
      file: string;
      name: string;
      retracted: boolean;
      kind: OfferKind;
      folder: string | null;
    }
  /** Chunks and bytes of a file this device served since it started (at most ~4 per second). */
  | {
      type: 'upload';
      pool: string;
      file: string;
      name: string;
      chunks: number;
      bytes: number;
      size: number;
    }
  /** This device now serves a file whole (shared or downloaded), or stopped serving it. */
  | {
      type: 'seeding';
      pool: string;
      file: string;
      name: string;
      folder: string | null;
      seeding: boolean;
    };

export interface DownloadEvent {
  type: 'download';
  pool: string;
  file: string;
  name: string;
  received: number;
  chunks: number;
  bytes: number;
  size: number;
  state: 'hashes' | 'data' | 'done' | 'failed' | 'cancelled';
  path?: string;
  error?: string;
}

export type DownloadOutcome = 'done' | 'failed' | 'cancelled';

/** One finished download attempt, as `GET /v1/downloads` lists it. */
export interface DownloadRecord {
  readonly file: string;
  readonly pool: string;
  readonly name: string;
  readonly size: number;
  /** The folder the file belongs to, if any. */
  readonly folder: string | null;
  /** Where the verified file is; null unless done. */
  readonly path: string | null;
  /** Hex SHA-256 of the verified file; null unless done. */
  readonly sha256: string | null;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly state: DownloadOutcome;
  /** Why it failed or was cancelled; null when done. */
  readonly error: string | null;
  /** Started by the device itself (an image within the auto-fetch limit). */
  readonly auto: boolean;
}

const folderOf = (info: FileInfo): string | null => (info.folderId === '' ? null : info.folderId);

/** An offer came or was withdrawn. */
export function offerEvent(pool: string, offer: Offer): FileEvent {
  return {
    type: 'offer',
    pool,
    file: offer.info.fileId,
    name: offer.info.name,
    retracted: offer.retracted,
    kind: offer.media?.kind ?? 'file',
    folder: folderOf(offer.info),
  };
}

/** This device serves `info` whole now, or stopped serving it. */
export function seedingEvent(pool: string, info: FileInfo, seeding: boolean): FileEvent {
  return {
    type: 'seeding',
    pool,
    file: info.fileId,
    name: info.name,
    folder: folderOf(info),
    seeding,
  };
}

/** What this device served of `fileId`; `info` is unknown once the file is forgotten. */
export function uploadEvent(
  pool: string,
  fileId: string,
  info: FileInfo | undefined,
  totals: { readonly chunks: number; readonly bytes: number },
): FileEvent {
  return {
    type: 'upload',
    pool,
    file: fileId,
    name: info?.name ?? '',
    chunks: totals.chunks,
    bytes: totals.bytes,
    size: info ? Number(info.size) : 0,
  };
}

/** A download's progress: nothing received yet, in data, unless `fields` say otherwise. */
export function downloadEvent(
  pool: string,
  info: FileInfo,
  fields: Partial<DownloadEvent>,
): DownloadEvent {
  return {
    type: 'download',
    pool,
    file: info.fileId,
    name: info.name,
    received: 0,
    chunks: dataChunkCount(info),
    bytes: 0,
    size: Number(info.size),
    state: 'data',
    ...fields,
  };
}

/** The record of a download of `info` that ended now. */
export function downloadRecord(
  pool: string,
  info: FileInfo,
  ended: {
    readonly state: DownloadOutcome;
    readonly path: string | null;
    readonly sha256: string | null;
    readonly error: string | null;
    readonly startedAt: number;
    readonly auto: boolean;
  },
): DownloadRecord {
  return {
    file: info.fileId,
    pool,
    name: info.name,
    size: Number(info.size),
    folder: folderOf(info),
    path: ended.path,
    sha256: ended.sha256,
    startedAt: ended.startedAt,
    finishedAt: Date.now(),
    state: ended.state,
    error: ended.error,
    auto: ended.auto,
  };
}
