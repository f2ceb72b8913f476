/**
 * Whole-buffer positional reads and writes (the system may move fewer bytes per call than
 * asked), and the directory sync that makes a created or renamed name durable.
 */
import { type FileHandle, open } from 'node:fs/promises';

/** Fills `buffer` from `position`; returns the bytes read, fewer only at the end of the file. */
export async function readFully(
  handle: FileHandle,
  buffer: Uint8Array,
  position: number,
): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(
      buffer,
      filled,
      buffer.length - filled,
      position + filled,
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** Writes all of `data` at `position`. */
export async function writeFully(
  handle: FileHandle,
  data: Uint8Array,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(
      data,
      written,
      data.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}

/**
 * Flushes a directory's entries (a file created, renamed or removed in it) to disk. Best
 * effort: some platforms and file systems cannot open or sync a directory.
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows): the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
