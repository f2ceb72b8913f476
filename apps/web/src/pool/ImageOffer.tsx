/**
 * An image offer: its tiny preview (sent inside the offer) at once, scaled to the image's
 * size; the full image when this device holds it, fetched on click otherwise; a full view
 * with "copy image".
 */
import { useEffect, useState } from 'react';
import type { FileView } from '../api/backend.js';
import { describeError } from '../api/errors.js';
import { useBackend } from '../app/backend-context.js';
import { formatBytes } from '../format.js';

const MAX_W = 320;
const MAX_H = 320;

export function ImageOffer({ file, onDownload }: { file: FileView; onDownload: () => void }) {
  const backend = useBackend();
  const [url, setUrl] = useState<string | null>(null);
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
        setUrl(made);
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
  const src = url ?? preview;

  const copy = async () => {
    try {
      const blob = await backend.fileBlob(file.pool, file.id);
      await navigator.clipboard.write([new ClipboardItem({ [blob.type || 'image/png']: blob })]);
    } catch (err) {
      setError(describeError(err));
    }
  };

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
      {open && url ? (
        <div
          className="lightbox"
          role="dialog"
          aria-label={file.name}
          onClick={() => setOpen(false)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <img src={url} alt={file.name} />
          <div className="lightbox-actions" onClick={(e) => e.stopPropagation()}>
            {typeof ClipboardItem !== 'undefined' ? (
              <button type="button" onClick={() => void copy()}>
                Copy image
              </button>
            ) : null}
            <button type="button" onClick={() => setOpen(false)} autoFocus>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </figure>
  );
}
