/**
 * "Show in folder" for a finished download: opens the file's folder in the desktop's file
 * manager (xdg-open on Linux, open on macOS, explorer on Windows). A machine without one (a
 * server, a container) gets a clear UNSUPPORTED error rather than a silent nothing.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { DaemonError } from './errors.js';

function opener(): string {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer';
  return process.env.POOLNET_OPENER ?? 'xdg-open';
}

export async function revealPath(path: unknown): Promise<{ ok: true; folder: string }> {
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new DaemonError('BAD_REQUEST', 'path must be an absolute path');
  }
  let folder: string;
  try {
    folder = (await stat(path)).isDirectory() ? path : dirname(path);
  } catch (cause) {
    throw new DaemonError('NOT_FOUND', `${path} is not there any more`, { cause });
  }
  const command = opener();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, [folder], { detached: true, stdio: 'ignore' });
    child.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        cause.code === 'ENOENT'
          ? new DaemonError('UNSUPPORTED', `no file manager here (${command} is not installed)`)
          : new DaemonError('UNSUPPORTED', `cannot open a file manager: ${cause.message}`),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
  return { ok: true, folder };
}
