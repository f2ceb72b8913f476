import type { FileInfo } from '@poolnet/protocol';

/**
 * What this node holds of files, whatever the reason: its own offers, downloads finished or
 * under way, a relay's cache. File transfer serves requests from it (FT2, FT4).
 */
export interface FileHolder {
  /** Whether chunk `index` of `fileId` is here now. Cheap and synchronous: relays ask it per request. */
  holds(fileId: string, index: number): boolean;
  /** The chunk's bytes, or undefined when it is gone after all. */
  read(fileId: string, index: number): Promise<Uint8Array | undefined>;
  /** The hash list (32 bytes per chunk) of a file held whole or being downloaded, if known. */
  hashList(fileId: string): Uint8Array | undefined;
}

/** A relay's bounded cache of chunks it forwarded (FT4). */
export interface RelayCache {
  put(fileId: string, index: number, data: Uint8Array): void;
}

/** Where a download's verified chunks go (a sparse temp file in the daemon). */
export interface DownloadSink {
  has(index: number): boolean;
  /** Missing chunk ranges, [start, end), ascending. */
  missing(): ReadonlyArray<{ readonly start: number; readonly end: number }>;
  /** Stores a chunk whose hash the engine has checked; false if the sink refused it. */
  write(index: number, data: Uint8Array): Promise<boolean>;
}

/** Opens (or resumes) the sink of a download once its hash list is known and verified. */
export type OpenSink = (info: FileInfo, chunkHashes: Uint8Array) => Promise<DownloadSink>;
