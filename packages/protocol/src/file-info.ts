/**
 * Rules for FileInfo: enough for a receiver to fetch, verify and safely store a file. Names
 * and relative paths are checked here, at the wire, because a daemon later joins them to a
 * directory on disk and must never be led outside it.
 */
import type { FileInfo } from './gen/poolnet/v1/node_pb.js';
import {
  checkBytes,
  checkId,
  checkOptionalId,
  checkSafeUint64,
  checkUtf8,
  invalid,
} from './field-checks.js';
import {
  MAX_CHUNK_SIZE,
  MAX_FILE_NAME_BYTES,
  MAX_MIME_BYTES,
  MAX_RELATIVE_PATH_BYTES,
  MIN_CHUNK_SIZE,
  SHA256_BYTES,
} from './limits.js';

/**
 * [WIRE13] A single path segment: 1..MAX_FILE_NAME_BYTES UTF-8 bytes, not "." or "..", no
 * "/", "\", NUL or other control character.
 */
export function checkFileName(name: string, field: string): void {
  checkUtf8(name, 1, MAX_FILE_NAME_BYTES, field);
  if (name === '.' || name === '..') throw invalid(field, 'a dot segment');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f /* / */ || c === 0x5c /* \ */) {
      throw invalid(field, 'separator or control character in a name');
    }
  }
}

/**
 * [WIRE13] "" (top level) or "/"-separated valid names: relative, no empty or dot segments,
 * at most MAX_RELATIVE_PATH_BYTES.
 */
export function checkRelativePath(path: string, field: string): void {
  if (path === '') return;
  checkUtf8(path, 1, MAX_RELATIVE_PATH_BYTES, field);
  for (const segment of path.split('/')) checkFileName(segment, field);
}

/**
 * [WIRE13] Valid file and origin ids, a safe name and relative path, size <= 2^53-1, 32-byte
 * SHA-256 and chunk-hash root, chunk size MIN_CHUNK_SIZE..MAX_CHUNK_SIZE, a short mime type.
 */
export function checkFileInfo(file: FileInfo | undefined, field: string): void {
  if (file === undefined) throw invalid(field, 'missing');
  checkId(file.fileId, `${field}.file_id`);
  checkFileName(file.name, `${field}.name`);
  checkSafeUint64(file.size, `${field}.size`);
  checkId(file.originNodeId, `${field}.origin_node_id`);
  checkBytes(file.sha256, SHA256_BYTES, SHA256_BYTES, `${field}.sha256`);
  if (file.chunkSize < MIN_CHUNK_SIZE || file.chunkSize > MAX_CHUNK_SIZE) {
    throw invalid(`${field}.chunk_size`, `not in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
  }
  checkBytes(file.chunkHashesRoot, SHA256_BYTES, SHA256_BYTES, `${field}.chunk_hashes_root`);
  checkUtf8(file.mime, 0, MAX_MIME_BYTES, `${field}.mime`);
  checkOptionalId(file.folderId, `${field}.folder_id`);
  checkRelativePath(file.relativePath, `${field}.relative_path`);
}

/** Number of chunks of a valid file (0 for an empty file). */
export const chunkCount = (file: Pick<FileInfo, 'size' | 'chunkSize'>): number =>
  Math.ceil(Number(file.size) / file.chunkSize);
