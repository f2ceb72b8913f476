/**
 * An image offer: its tiny preview (sent inside the offer) at once, scaled to the image's
 * size; the full image when this device holds it, fetched on click otherwise; a full view
 * with "copy image" and "save".
 */
import { useCallback, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { FileView } from '../api/backend.js';
import { describeError } from '../api/errors.js';
import { useBackend } from '../app/backend-context.js';
import { formatBytes } from '../format.js';
import { ImageViewer } from './ImageViewer.js';

const MAX_W = 320;
const MAX_H = 320;

export function ImageOffer({ file, onDownload }: { file: FileView; onDownload: () => void }) {
  const backend = useBackend();
  const [full, setFull] = useState<{ url: string; blob: Blob } | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!file.have) return;
    let revoked = false;
    let made: string | null = null;
    backend.fileBlob(file.pool, file.id).then(
      (blob) => {
        if (revoked) return;
        made = URL.createObjectURL(blob);
        setFull({ url: made, blob });
      },
      (err: unknown) => setError(describeError(err)),
    );
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [backend, file.pool, file.id, file.have]);

  const scale = Math.min(1, MAX_W / (file.width ?? MAX_W), MAX_H / (file.height ?? MAX_H));
  const width = Math.round((file.width ?? MAX_W) * scale);
  const height = Math.round((file.height ?? MAX_H) * scale);
  const preview = file.preview ? `data:image/webp;base64,${file.preview}` : null;
  const url = full?.url ?? null;
  const src = url ?? preview;
  const close = useCallback(() => setOpen(false), []);

  return (
    <figure className="image-offer">
      <button
        type="button"
        className={`image-frame ${url ? '' : 'blurred'}`}
        style={{ width, height }}
        onClick={() => (url ? setOpen(true) : onDownload())}
        aria-label={url ? `View ${file.name}` : `Fetch ${file.name}`}
      >
        {src ? (
          <img
            src={src}
            alt={file.name}
            width={width}
            height={height}
            data-full={url ? 'yes' : 'no'}
          />
        ) : (
          <span className="muted">{file.name}</span>
        )}
        {!url ? (
          <span className="overlay">{file.downloading ? 'Fetching…' : 'Fetch image'}</span>
        ) : null}
      </button>
      <figcaption className="muted">
        {file.name} · {formatBytes(file.size)}
      </figcaption>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {open && full
        ? // On the body: a fixed overlay inside the list's transformed rows would be clipped.
          createPortal(
            <ImageViewer name={file.name} url={full.url} blob={full.blob} onClose={close} />,
            document.body,
          )
        : null}
    </figure>
  );
}
