/**
 * The page's files live in the origin private file system (OPFS): `poolnet/<pool>/held/` for
 * files this page serves whole (its shares, copied in; its finished downloads) and
 * `poolnet/<pool>/partial/<file>.part` for downloads under way (written in place by the
 * worker, `opfs-worker.ts`). Names on disk are ids, never names from the network, escaped so
 * no id can name a parent or a subfolder.
 */
import { BackendError } from '../api/backend.js';

/** An id as one safe OPFS entry name. */
export const entryName = (id: string): string => `_${encodeURIComponent(id)}`;

let rootPromise: Promise<FileSystemDirectoryHandle> | undefined;

export function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage?.getDirectory) {
    return Promise.reject(
      new BackendError('NO_STORAGE', 'this browser has no private file system (OPFS)'),
    );
  }
  rootPromise ??= storage.getDirectory();
  return rootPromise;
}

/** The directory at `parts` under the OPFS root, made when missing. */
export async function directory(...parts: string[]): Promise<FileSystemDirectoryHandle> {
  let dir = await opfsRoot();
  for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
  return dir;
}

/** Removes an entry (recursively) if it exists. */
export async function removeEntry(dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  try {
    await dir.removeEntry(name, { recursive: true });
  } catch (err) {
    if (!(err instanceof DOMException) || err.name !== 'NotFoundError') throw err;
  }
}

/** The file `name` in `dir`, or undefined. */
export async function fileIn(
  dir: FileSystemDirectoryHandle,
  name: string,
): Promise<File | undefined> {
  try {
    return await (await dir.getFileHandle(name)).getFile();
  } catch (err) {
    if (err instanceof DOMException && err.name === 'NotFoundError') return undefined;
    throw err;
  }
}

/** Writes `data` as the whole content of `dir/name` (committed when the call resolves). */
export async function writeWhole(
  dir: FileSystemDirectoryHandle,
  name: string,
  data: Blob | Uint8Array,
): Promise<void> {
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    if (data instanceof Blob) {
      await data.stream().pipeTo(writable);
      return; // pipeTo closes the writable, which commits it
    }
    await writable.write(data as Uint8Array<ArrayBuffer>);
    await writable.close();
  } catch (err) {
    await writable.abort().catch(() => undefined);
    throw err;
  }
}

/** Bytes [start, end) of a blob. */
export async function readRange(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}
