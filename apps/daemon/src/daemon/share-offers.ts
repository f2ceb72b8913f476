/**
 * What this device offers when it shares a path: a file's `FileInfo` (with the image's size
 * and preview when it is a PNG, JPEG, WebP or GIF by content), or a folder's files under one
 * new folder id, each with its directory inside the folder. Reading and hashing happen here;
 * nothing is copied.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { type FileInfo, FileInfoSchema, create } from '@poolnet/protocol';
import { errnoOf } from '../files/errors.js';
import { isSafeName } from '../files/folder-paths.js';
import { walkFolder } from '../files/folder-walk.js';
import { type ImageDescription, describeImage } from '../files/image-preview.js';
import { type FileManifest, chunkHashesRoot, hashFile } from '../files/manifest.js';
import { eachLimited } from './each-limited.js';
import { DaemonError } from './errors.js';

/** Files of a folder hashed at once. */
const HASH_PARALLEL = 4;

export interface SharedItem {
  readonly info: FileInfo;
  readonly path: string;
  readonly manifest: FileManifest & { readonly mtimeMs: number };
}

export interface SharedFolder {
  readonly folderId: string;
  /** Its own name: one path segment. */
  readonly name: string;
  readonly files: SharedItem[];
  /** What was left out and why (a link, a socket, a file that changed while hashed). */
  readonly skipped: Array<{ path: string; reason: string }>;
}

/** A new file or folder id; never with a leading '-', which a command line would take for a flag. */
export function newId(): string {
  const id = randomBytes(12).toString('base64url');
  return id.startsWith('-') ? `_${id.slice(1)}` : id;
}
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Why `path` cannot be read, in words a person typing a path understands (ENOENT: no such…). */
export function unreadable(path: string, cause: unknown): DaemonError {
  // A FileError (its own `code`) carries the system error as its cause.
  const system = cause instanceof Error && cause.cause !== undefined ? cause.cause : cause;
  const errno = errnoOf(system);
  const why =
    errno === 'ENOENT'
      ? 'no such file or folder'
      : errno === 'EACCES' || errno === 'EPERM'
        ? 'permission denied'
        : errno === 'ENOTDIR'
          ? 'a part of the path is not a folder'
          : messageOf(cause);
  return new DaemonError('BAD_REQUEST', `cannot read ${path}: ${why}`, { cause });
}

function infoOf(
  manifest: FileManifest,
  fields: { name: string; origin: string; mime?: string; folderId?: string; relativePath?: string },
): FileInfo {
  return create(FileInfoSchema, {
    fileId: newId(),
    name: fields.name,
    size: BigInt(manifest.size),
    originNodeId: fields.origin,
    sha256: manifest.sha256,
    chunkSize: manifest.chunkSize,
    chunkHashesRoot: chunkHashesRoot(manifest.chunkHashes),
    mime: fields.mime ?? '',
    folderId: fields.folderId ?? '',
    relativePath: fields.relativePath ?? '',
  });
}

/** The offer of the file at `path`, and its image description when it is one. */
export async function shareFile(
  path: string,
  origin: string,
): Promise<SharedItem & { image: ImageDescription | undefined }> {
  let manifest;
  try {
    manifest = await hashFile(path);
  } catch (cause) {
    throw unreadable(path, cause);
  }
  const image = await describeImage(path);
  const info = infoOf(manifest, {
    name: basename(path),
    origin,
    ...(image ? { mime: image.mime } : {}),
  });
  return { info, path, manifest, image };
}

/** The offers of every regular file under `dir`, as one new folder. */
export async function shareFolder(dir: string, origin: string): Promise<SharedFolder> {
  const name = basename(dir);
  if (!isSafeName(name)) throw new DaemonError('BAD_REQUEST', `cannot offer ${dir} as a folder`);
  let listing;
  try {
    listing = await walkFolder(dir);
  } catch (cause) {
    throw unreadable(dir, cause);
  }
  const skipped = [...listing.skipped];
  const folderId = newId();
  const hashed = await eachLimited(listing.files, HASH_PARALLEL, async (entry) => {
    try {
      const manifest = await hashFile(entry.path);
      const info = infoOf(manifest, {
        name: entry.name,
        origin,
        folderId,
        relativePath: entry.relativePath,
      });
      return { info, path: entry.path, manifest };
    } catch (err) {
      skipped.push({ path: entry.path, reason: messageOf(err) });
      return undefined;
    }
  });
  const files = hashed.filter((h) => h !== undefined);
  if (files.length === 0) {
    throw new DaemonError(
      'BAD_REQUEST',
      skipped.length === 0
        ? `${dir} is an empty folder: nothing to offer`
        : `no regular file to offer under ${dir} (${skipped.length} left out: links, special or unreadable files)`,
    );
  }
  return { folderId, name, files, skipped };
}
