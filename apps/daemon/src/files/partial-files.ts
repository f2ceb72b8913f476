/**
 * The files of a partial download, in `<dir>/.poolnet-partial/`:
 *
 * - `<fileId>.part` holds the file's bytes at their final offsets (sparse until complete);
 * - `<fileId>.have` holds a header — magic, then a fingerprint of the manifest — and then a
 *   bitmap of the chunks held (see ChunkBitmap).
 *
 * A partial is resumed only if both files are there, intact and of the same manifest;
 * otherwise it starts afresh. What `.have` claims is kept durable by DownloadFile.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkBitmap } from './chunk-bitmap.js';
import { errnoOf } from './errors.js';
import { type FileManifest, HASH_BYTES } from './manifest.js';
import { readFully, syncDirectory, writeFully } from './positional-io.js';

/** Folder of partial downloads, inside the download directory. */
export const PARTIAL_DIR = '.poolnet-partial';

const MAGIC = Buffer.from('PNHAVE\x00\x01', 'latin1');
/** Bytes before the bitmap in a `.have` file. */
export const HAVE_HEADER_BYTES = MAGIC.length + HASH_BYTES;

/** An opened partial: both files, and the chunks `.have` says are held. */
export interface OpenedPartial {
  readonly part: FileHandle;
  readonly have: FileHandle;
  readonly bitmap: ChunkBitmap;
}

export interface PartialPaths {
  readonly part: string;
  readonly have: string;
}

export const partialPaths = (folder: string, fileId: string): PartialPaths => ({
  part: join(folder, `${fileId}.part`),
  have: join(folder, `${fileId}.have`),
});

/** Binds a `.have` file to one manifest: a different file under the same id starts afresh. */
function fingerprint(manifest: FileManifest): Buffer {
  const sizes = Buffer.alloc(12);
  sizes.writeBigUInt64BE(BigInt(manifest.size), 0);
  sizes.writeUInt32BE(manifest.chunkSize, 8);
  return createHash('sha256')
    .update('poolnet download v1\n')
    .update(sizes)
    .update(manifest.sha256)
    .update(manifest.chunkHashes)
    .digest();
}

/**
 * Resumes the partial of `fileId` in `folder` (created if needed), or starts it afresh.
 * `count` is the manifest's chunk count; the id must already be checked.
 */
export async function openPartial(
  folder: string,
  fileId: string,
  manifest: FileManifest,
  count: number,
): Promise<OpenedPartial> {
  await mkdir(folder, { recursive: true });
  const paths = partialPaths(folder, fileId);
  return (await resume(paths, manifest, count)) ?? (await create(paths, manifest, count, folder));
}

/** Removes the partial's files (absent ones are fine). */
export async function removePartial(folder: string, fileId: string): Promise<void> {
  const paths = partialPaths(folder, fileId);
  // The bitmap first: without it a leftover `.part` is never trusted.
  await rm(paths.have, { force: true });
  await rm(paths.part, { force: true });
  await syncDirectory(folder);
}

/** The partial's files, if both are there, intact and of this manifest. */
async function resume(
  paths: PartialPaths,
  manifest: FileManifest,
  count: number,
): Promise<OpenedPartial | undefined> {
  let have: FileHandle;
  try {
    have = await open(paths.have, 'r+');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
  let part: FileHandle | undefined;
  let resumed = false;
  try {
    const bitmapBytes = Math.ceil(count / 8);
    if ((await have.stat()).size !== HAVE_HEADER_BYTES + bitmapBytes) return undefined;
    const content = Buffer.alloc(HAVE_HEADER_BYTES + bitmapBytes);
    if ((await readFully(have, content, 0)) !== content.length) return undefined;
    if (!content.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    if (!content.subarray(MAGIC.length, HAVE_HEADER_BYTES).equals(fingerprint(manifest))) {
      return undefined;
    }
    const bitmap = ChunkBitmap.from(content.subarray(HAVE_HEADER_BYTES), count);
    if (!bitmap) return undefined;
    try {
      part = await open(paths.part, 'r+');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
    if ((await part.stat()).size !== manifest.size) return undefined;
    resumed = true;
    return { part, have, bitmap };
  } finally {
    // Not resumed: close what was opened; `create` starts afresh.
    if (!resumed) {
      await part?.close().catch(() => undefined);
      await have.close().catch(() => undefined);
    }
  }
}

/**
 * A fresh partial. The empty bitmap is made durable before `.part` is touched, so a crash in
 * between never pairs old bits with new (zeroed) bytes.
 */
async function create(
  paths: PartialPaths,
  manifest: FileManifest,
  count: number,
  folder: string,
): Promise<OpenedPartial> {
  const have = await open(paths.have, 'w+');
  try {
    const content = Buffer.alloc(HAVE_HEADER_BYTES + Math.ceil(count / 8));
    MAGIC.copy(content, 0);
    fingerprint(manifest).copy(content, MAGIC.length);
    await writeFully(have, content, 0);
    await have.sync();
    const part = await open(paths.part, 'w+');
    try {
      await part.truncate(manifest.size);
    } catch (err) {
      await part.close().catch(() => undefined);
      throw err;
    }
    await syncDirectory(folder);
    return { part, have, bitmap: new ChunkBitmap(count) };
  } catch (err) {
    await have.close().catch(() => undefined);
    throw err;
  }
}
