/**
 * Reports a download's progress as download events until it ends. The engine's `done` state
 * is reported as `data`: the device reports `done` itself once the file is in place.
 */
import type { Download } from '@poolnet/engine';
import type { DownloadEvent } from './file-events.js';

export async function followDownload(
  download: Download,
  event: (fields: Partial<DownloadEvent>) => void,
): Promise<void> {
  const off = download.onProgress((p) =>
    event({
      received: p.received,
      chunks: p.chunks,
      bytes: p.bytes,
      state: p.state === 'done' ? 'data' : p.state,
    }),
  );
  try {
    await download.done;
  } finally {
    off();
  }
}
