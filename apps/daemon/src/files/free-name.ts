/**
 * Moves a finished file to its name in a folder without ever replacing a file already there:
 * "photo.jpg", then "photo (1).jpg", "photo (2).jpg"… Each name is claimed atomically (a hard
 * link, or an exclusive create where links are not possible), so two downloads finishing at
 * once cannot take the same name.
 */
import { copyFile, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { checkFileName } from './checks.js';
import { FileError, errnoOf, toFileError } from './errors.js';
import { syncDirectory } from './positional-io.js';

/** Names tried before giving up. */
const MAX_TRIES = 10_000;
/** Errors meaning "this file system cannot hard-link here": claim the name another way. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** `name` for n = 0, else "stem (n).ext" ("notes (1).txt", ".bashrc (1)"). */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)} (${n})${ext}`;
}

/**
 * Moves `source` into `targetDir` (created if needed) under `name` or the first free numbered
 * variant of it, and returns the final path. The directory entry is synced before returning.
 */
export async function moveToFreeName(
  source: string,
  targetDir: string,
  name: string,
): Promise<string> {
  checkFileName(name);
  try {
    await mkdir(targetDir, { recursive: true });
  } catch (err) {
    throw toFileError(err, `create ${targetDir}`);
  }
  let canLink = true;
  for (let n = 0; n < MAX_TRIES; n++) {
    const target = join(targetDir, numberedName(name, n));
    try {
      if (canLink) {
        await link(source, target);
        // The file is in place; a leftover second name is removed by the caller at worst.
        await unlink(source).catch(() => undefined);
      } else {
        if (!(await claim(target))) continue;
        await moveOnto(source, target);
      }
      await syncDirectory(targetDir);
      return target;
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'EEXIST') continue;
      if (canLink && errno !== undefined && NO_LINK.has(errno)) {
        canLink = false;
        n--;
        continue;
      }
      throw toFileError(err, `move to ${target}`);
    }
  }
  throw new FileError('IO', `no free name for ${name} in ${targetDir}`);
}

/** Creates `path` empty if no file has that name; false if one does. */
async function claim(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.close();
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
}

/** Replaces the claimed empty `target` with `source`: a rename, or a synced copy across devices. */
async function moveOnto(source: string, target: string): Promise<void> {
  try {
    await rename(source, target);
    return;
  } catch (err) {
    if (errnoOf(err) !== 'EXDEV') {
      await unlink(target).catch(() => undefined);
      throw err;
    }
  }
  try {
    // copyFile copies in the kernel (or in small pieces): memory stays flat.
    await copyFile(source, target);
    const handle = await open(target, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(target).catch(() => undefined);
    throw err;
  }
  await unlink(source);
}
