/**
 * Where the files of a downloaded folder go: `<target>/<folder name>/<relative path>/<name>`.
 * The folder name and relative path come from the network; the protocol checks relative paths
 * (WIRE13) but not folder names, and a daemon must never be led outside its target whatever a
 * peer (or a future protocol change) lets through, so both are checked again here.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { NameChecks } from '@poolnet/device';
import { checkFileName } from './checks.js';
import { FileError } from './errors.js';

/** Longest relative path accepted, in UTF-8 bytes (WIRE13). */
const MAX_RELATIVE_PATH_BYTES = 1024;

/** Whether `name` is one safe path segment (see `checkFileName`). */
export function isSafeName(name: string): boolean {
  try {
    checkFileName(name);
    return true;
  } catch {
    return false;
  }
}

/** Whether `relativePath` is "" or safe segments joined by '/': never absolute, never `..`. */
export function isSafeRelativePath(relativePath: string): boolean {
  if (typeof relativePath !== 'string') return false;
  if (relativePath === '') return true;
  if (Buffer.byteLength(relativePath, 'utf8') > MAX_RELATIVE_PATH_BYTES) return false;
  return relativePath.split('/').every(isSafeName);
}

/** What the daemon's offer book keeps: names and relative paths safe on this disk. */
export const diskNameChecks: NameChecks = { isSafeName, isSafeRelativePath };

/** Whether `path` is `root` or inside it, once both are resolved. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * The directory of a folder's file: `<target>/<folderName>/<relativePath>`. `INVALID_ARGUMENT`
 * when the folder name is not one safe segment, the relative path is not safe, or the result
 * is not inside `<target>/<folderName>` after all.
 */
export function folderFileDir(target: string, folderName: string, relativePath: string): string {
  if (!isSafeName(folderName)) {
    throw new FileError('INVALID_ARGUMENT', `folder name ${JSON.stringify(folderName)}: not safe`);
  }
  if (!isSafeRelativePath(relativePath)) {
    throw new FileError(
      'INVALID_ARGUMENT',
      `relative path ${JSON.stringify(relativePath)}: not safe inside a folder`,
    );
  }
  const root = resolve(target, folderName);
  const dir = relativePath === '' ? root : resolve(root, ...relativePath.split('/'));
  if (!isInside(root, dir)) {
    throw new FileError('INVALID_ARGUMENT', `${dir} is outside ${root}`);
  }
  return dir;
}
