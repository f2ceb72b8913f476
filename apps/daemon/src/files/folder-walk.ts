/**
 * The regular files under a folder, for a folder offer: found recursively, symbolic links,
 * sockets, devices and pipes left out (a link could lead outside the folder, or loop). Each
 * file carries its directory inside the folder as the wire spells it: '/'-separated, "" at the
 * top. Names the wire cannot carry are reported as skipped rather than mangled.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRelativePath } from '@poolnet/protocol';
import { byFolderPath } from '@poolnet/device';
import { FileError, toFileError } from './errors.js';

/** Files one folder offer may list in all its messages (a guard against sharing `/`). */
export const MAX_FOLDER_FILES = 100_000;

export interface FolderEntry {
  /** Where it is on disk. */
  readonly path: string;
  readonly name: string;
  /** Its directory inside the folder: "a/b", or "" at the top. */
  readonly relativePath: string;
}

export interface FolderListing {
  readonly files: FolderEntry[];
  /** What was left out and why (a link, a socket, a name the wire refuses). */
  readonly skipped: Array<{ readonly path: string; readonly reason: string }>;
}

/** Whether `relativePath` + `name` can travel in a FileInfo (WIRE13). */
function wireSafe(relativePath: string, name: string): boolean {
  try {
    checkRelativePath(relativePath === '' ? name : `${relativePath}/${name}`, 'path');
    checkRelativePath(relativePath, 'relative_path');
    return true;
  } catch {
    return false;
  }
}

/**
 * Lists the regular files under `root`, sorted by relative path then name. `INVALID_ARGUMENT`
 * past `maxFiles`; a `readdir` failure of `root` itself as a `FileError` (`MISSING`, `IO`).
 */
export async function walkFolder(
  root: string,
  maxFiles = MAX_FOLDER_FILES,
): Promise<FolderListing> {
  const files: FolderEntry[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  const pending: Array<{ dir: string; relativePath: string }> = [{ dir: root, relativePath: '' }];
  while (pending.length > 0) {
    const { dir, relativePath } = pending.pop() as { dir: string; relativePath: string };
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === root) throw toFileError(err, `read ${dir}`);
      skipped.push({ path: dir, reason: `unreadable: ${String(err)}` });
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (!wireSafe(relativePath, entry.name)) {
        skipped.push({ path, reason: 'a name or path a folder offer cannot carry' });
      } else if (entry.isDirectory()) {
        const inner = relativePath === '' ? entry.name : `${relativePath}/${entry.name}`;
        pending.push({ dir: path, relativePath: inner });
      } else if (entry.isFile()) {
        files.push({ path, name: entry.name, relativePath });
        if (files.length > maxFiles) {
          throw new FileError('INVALID_ARGUMENT', `more than ${maxFiles} files under ${root}`);
        }
      } else {
        skipped.push({
          path,
          reason: entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file',
        });
      }
    }
  }
  files.sort(byFolderPath);
  return { files, skipped };
}
