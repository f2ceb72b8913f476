/**
 * What a drop holds: plain files, and folders read through `webkitGetAsEntry()` into the
 * same `FolderFile`s a `webkitdirectory` pick gives (each with its path from the folder's own
 * name). The entries must be taken during the drop event (the list is emptied after it);
 * reading the folders' contents goes on afterwards.
 */
import type { FolderFile } from '../api/backend.js';

export interface Dropped {
  readonly files: File[];
  /** One read per dropped folder. */
  readonly folders: Array<Promise<FolderFile[]>>;
}

/** Splits a drop; without `webkitGetAsEntry` (older engines, jsdom) everything is a file. */
export function splitDrop(data: DataTransfer): Dropped {
  const items = data.items ? [...data.items] : [];
  if (items.length === 0 || typeof items[0]?.webkitGetAsEntry !== 'function') {
    return { files: [...data.files], folders: [] };
  }
  const files: File[] = [];
  const folders: Array<Promise<FolderFile[]>> = [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry?.isDirectory) {
      folders.push(readFolder(entry as FileSystemDirectoryEntry, entry.name));
    } else {
      const file = item.getAsFile();
      if (file) files.push(file);
    }
  }
  return { files, folders };
}

/** Every file under `dir`, its path starting at `path` ('/'-separated). */
async function readFolder(dir: FileSystemDirectoryEntry, path: string): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  for (const entry of await allEntries(dir)) {
    const at = `${path}/${entry.name}`;
    if (entry.isDirectory) out.push(...(await readFolder(entry as FileSystemDirectoryEntry, at)));
    else if (entry.isFile) out.push({ file: await fileOf(entry as FileSystemFileEntry), path: at });
  }
  return out;
}

/** A directory reader answers in batches (about 100 in Chromium) until an empty one. */
async function allEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

const fileOf = (entry: FileSystemFileEntry): Promise<File> =>
  new Promise((resolve, reject) => entry.file(resolve, reject));
