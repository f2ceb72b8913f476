/**
 * The full image in a modal dialog: "Copy image" (PNG on the clipboard), "Save" (the
 * browser's download) and "Close". Escape or a click outside closes it; focus starts on Close,
 * stays inside while it is open (Tab cycles) and goes back to the opener afterwards.
 */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { describeError } from '../api/errors.js';
import { copyImage } from './image-clipboard.js';
import { saveBlob } from './save-blob.js';

export function ImageViewer({
  name,
  url,
  blob,
  onClose,
}: {
  name: string;
  url: string;
  blob: Blob;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [onClose]);

  // Keep Tab inside the dialog.
  const trap = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>('button:not(:disabled)')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const copy = async () => {
    setNote(null);
    setError(null);
    try {
      await copyImage(blob);
      setNote('Image copied.');
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <div
      ref={dialog}
      className="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={name}
      onClick={onClose}
      onKeyDown={trap}
    >
      <img src={url} alt={name} onClick={(e) => e.stopPropagation()} />
      <div className="lightbox-actions" onClick={(e) => e.stopPropagation()}>
        <button type="button" onClick={() => void copy()}>
          Copy image
        </button>
        <button
          type="button"
          onClick={() => {
            saveBlob(blob, name);
            setError(null);
            setNote(`Saving ${name}…`);
          }}
        >
          Save
        </button>
        <button ref={closeButton} type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="lightbox-note" role="status" aria-live="polite">
        {note}
      </p>
      {error ? (
        <p className="lightbox-note error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
