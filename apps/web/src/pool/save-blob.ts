/**
 * "Save": hands the bytes to the browser's own download (an object URL on a temporary link),
 * so it lands where the person's browser saves files, in both desktop and browser mode.
 */

/** The object URL must outlive the click that starts the download. */
const REVOKE_AFTER_MS = 30_000;

export function saveBlob(blob: Blob, name: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
