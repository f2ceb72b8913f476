/**
 * The disk side of file transfer: manifests (hashing), files this device offers, downloads
 * under way, and a relay's chunk cache. Streaming and memory-flat throughout.
 */
export { FileError, type FileErrorCode, isFileError } from './errors.js';
export {
  DEFAULT_CHUNK_SIZE,
  type FileManifest,
  checkManifest,
  chunkCount,
  chunkHashOk,
  chunkHashesRoot,
  chunkLength,
  hashFile,
} from './manifest.js';
export { SharedFile, type SharedFileOptions } from './shared-file.js';
export { DownloadFile, type DownloadFileOptions } from './download-file.js';
export { PARTIAL_DIR } from './partial-files.js';
export { ChunkCache, type ChunkCacheOptions } from './chunk-cache.js';
export type { ChunkRange } from './chunk-bitmap.js';
