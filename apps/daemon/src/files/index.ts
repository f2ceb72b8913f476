/**
 * The disk side of file transfer: manifests (hashing), files this device offers, downloads
 * under way, a relay's chunk cache, image previews, folder listings and the safe paths of a
 * downloaded folder. Streaming and memory-flat throughout.
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
export { type ImageDescription, PREVIEW_BYTES, describeImage } from './image-preview.js';
export {
  type FolderEntry,
  type FolderListing,
  MAX_FOLDER_FILES,
  walkFolder,
} from './folder-walk.js';
export { folderFileDir, isInside, isSafeName, isSafeRelativePath } from './folder-paths.js';
export type { ChunkRange } from './chunk-bitmap.js';
