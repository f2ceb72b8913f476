/**
 * "Copy image": browsers take images on the clipboard as PNG only, so other types are drawn
 * to a canvas and re-encoded first. The PNG goes in as a promise so the write starts inside
 * the click's user activation (Chrome and Safari refuse it after an await otherwise).
 * Failures are `BackendError`s with stable codes and a sentence people can act on.
 */
import { BackendError } from '../api/backend.js';

export interface ImageClipboard {
  write(items: ClipboardItem[]): Promise<void>;
}

/** The image as a PNG blob (as it is when it already is one). */
export async function toPng(blob: Blob): Promise<Blob> {
  if (blob.type === 'image/png') return blob;
  try {
    const bitmap = await createImageBitmap(blob);
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    bitmap.close();
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (png) return png;
  } catch {
    // fall through: not an image this browser can decode
  }
  throw new BackendError('IMAGE_UNREADABLE', 'This image could not be converted for copying.');
}

export async function copyImage(
  blob: Blob,
  clipboard: ImageClipboard | undefined = globalThis.navigator?.clipboard,
): Promise<void> {
  if (typeof ClipboardItem === 'undefined' || !clipboard?.write) {
    throw new BackendError(
      'CLIPBOARD_UNSUPPORTED',
      'This browser cannot copy images. Use Save instead.',
    );
  }
  let unreadable: unknown = null;
  const png = toPng(blob).catch((err: unknown) => {
    unreadable = err;
    throw err;
  });
  try {
    await clipboard.write([new ClipboardItem({ 'image/png': png })]);
  } catch (err) {
    if (unreadable !== null) throw unreadable;
    if (err instanceof BackendError) throw err;
    if (err instanceof Error && err.name === 'NotAllowedError') {
      throw new BackendError(
        'CLIPBOARD_DENIED',
        'The browser did not allow copying to the clipboard. Allow clipboard access for this page, or use Save.',
      );
    }
    throw new BackendError('CLIPBOARD_FAILED', 'The image could not be copied. Use Save instead.');
  }
}
