/**
 * A folder download: every file of the folder (`all`) or those this device does not hold
 * (`missing`) goes to `<target>/<folder name>/<relative path>/<name>`. A file held elsewhere
 * on this device is copied rather than fetched again (`all`), or left where it is
 * (`missing`). Every path is checked to stay inside `<target>/<folder name>`.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileInfo } from '@poolnet/protocol';
import { folderFileDir, isInside } from '../files/folder-paths.js';
import { moveToFreeName } from '../files/free-name.js';
import { eachLimited } from './each-limited.js';
import { DaemonError } from './errors.js';
import type { Fetched } from './pool-downloads.js';
import { newId } from './share-offers.js';

/** Files fetched at once. */
const PARALLEL = 4;

/** `all`: every file of the folder into the target; `missing`: only those not held. */
export type FolderMode = 'all' | 'missing';

export interface FolderFileResult {
  readonly id: string;
  readonly name: string;
  readonly relativePath: string;
  /** fetched: over the pool; copied: held elsewhere here; kept: already held (left where it is). */
  readonly outcome: 'fetched' | 'copied' | 'kept' | 'failed';
  readonly path: string | null;
  readonly sha256: string | null;
  readonly error: string | null;
}

export interface FolderDownloadHost {
  /** Where a held file still is, unchanged (a changed one is forgotten on the way). */
  heldPath(fileId: string): Promise<string | undefined>;
  /** Offered and not withdrawn. */
  live(fileId: string): boolean;
  fetch(info: FileInfo, dir: string): Promise<Fetched>;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function downloadFolder(
  host: FolderDownloadHost,
  folder: { readonly name: string; readonly files: readonly FileInfo[] },
  mode: FolderMode,
  target: string,
): Promise<{ path: string; files: FolderFileResult[]; fetched: FileInfo[] }> {
  let root: string;
  try {
    root = folderFileDir(target, folder.name, '');
  } catch (cause) {
    throw new DaemonError('BAD_REQUEST', messageOf(cause), { cause });
  }
  const fetched: FileInfo[] = [];
  const files = await eachLimited(folder.files, PARALLEL, async (info) => {
    const base = { id: info.fileId, name: info.name, relativePath: info.relativePath };
    try {
      const dir = folderFileDir(target, folder.name, info.relativePath);
      const held = await host.heldPath(info.fileId);
      const sha256 = hex(info.sha256);
      if (held !== undefined && (mode === 'missing' || held === join(dir, info.name))) {
        return { ...base, outcome: 'kept' as const, path: held, sha256, error: null };
      }
      if (held !== undefined) {
        const path = await copyInto(held, dir, info.name);
        return { ...base, outcome: 'copied' as const, path, sha256, error: null };
      }
      if (!host.live(info.fileId)) throw new Error('withdrawn: it changed or vanished');
      const result = await host.fetch(info, dir);
      if (!isInside(root, result.path)) throw new Error(`${result.path} is outside ${root}`);
      fetched.push(info);
      return { ...base, outcome: 'fetched' as const, ...result, error: null };
    } catch (err) {
      const error = messageOf(err);
      return { ...base, outcome: 'failed' as const, path: null, sha256: null, error };
    }
  });
  return { path: root, files, fetched };
}

/** Copies `source` into `dir` under `name` (or a free numbered variant); returns the path. */
async function copyInto(source: string, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${newId()}.poolnet-copy`);
  try {
    await copyFile(source, temp);
    return await moveToFreeName(temp, dir, name);
  } finally {
    await rm(temp, { force: true });
  }
}
