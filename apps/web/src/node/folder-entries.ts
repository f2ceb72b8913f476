/**
 * The files of a folder picked (`webkitdirectory`) or dropped in the page, as a folder offer
 * lists them: the folder's own name, and each file's name and directory inside it as the wire
 * spells them ('/'-separated, "" at the top), sorted as the daemon's folder walk sorts them.
 * A name the wire refuses is reported as skipped rather than mangled, as on the daemon.
 */
import { byFolderPath, protocolNameChecks } from '@poolnet/device';
import { BackendError, type FolderFile } from '../api/backend.js';

export interface FolderEntry {
  readonly file: File;
  readonly name: string;
  readonly relativePath: string;
  /** As picked: "Folder/dir/name". */
  readonly path: string;
}

export interface FolderEntries {
  readonly name: string;
  readonly entries: FolderEntry[];
  readonly skipped: Array<{ path: string; reason: string }>;
}

const { isSafeName, isSafeRelativePath } = protocolNameChecks;

/** Splits `files` by their paths; BAD_REQUEST unless they are the files of one folder. */
export function folderEntries(files: readonly FolderFile[]): FolderEntries {
  if (!Array.isArray(files) || files.length === 0) {
    throw new BackendError('BAD_REQUEST', 'the folder holds no file to offer', 400);
  }
  let name: string | undefined;
  const entries: FolderEntry[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  for (const { file, path } of files) {
    if (!((file as unknown) instanceof Blob) || typeof path !== 'string') {
      throw new BackendError('BAD_REQUEST', 'not a file of a folder', 400);
    }
    const segments = path.split('/');
    const top = segments[0] ?? '';
    if (segments.length < 2 || top === '') {
      throw new BackendError('BAD_REQUEST', `${path} is not inside a folder`, 400);
    }
    if (name === undefined) name = top;
    else if (top !== name) {
      throw new BackendError('BAD_REQUEST', 'pick one folder at a time', 400);
    }
    const fileName = segments[segments.length - 1] as string;
    const relativePath = segments.slice(1, -1).join('/');
    const whole = relativePath === '' ? fileName : `${relativePath}/${fileName}`;
    if (!isSafeName(fileName) || !isSafeRelativePath(relativePath) || !isSafeRelativePath(whole)) {
      skipped.push({ path, reason: 'a name or path a folder offer cannot carry' });
      continue;
    }
    entries.push({ file, name: fileName, relativePath, path });
  }
  const folderName = name as string;
  if (!isSafeName(folderName)) {
    throw new BackendError('BAD_REQUEST', `cannot offer ${folderName} as a folder`, 400);
  }
  entries.sort(byFolderPath);
  return { name: folderName, entries, skipped };
}
