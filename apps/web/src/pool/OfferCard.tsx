/** An offer in the chat: an image inline (preview at once), or a file tile with a download. */
import type { FileView, Message } from '../api/backend.js';
import { formatBytes } from '../format.js';
import { ImageOffer } from './ImageOffer.js';

export function OfferCard({
  message,
  files,
  onDownload,
}: {
  message: Message;
  files: ReadonlyMap<string, FileView>;
  onDownload: (file: FileView) => void;
}) {
  const ids = message.files ?? [];
  if (message.kind === 'retractOffer') {
    const name = ids[0] ? files.get(ids[0])?.name : undefined;
    return <p className="muted notice">withdrew {name ?? 'a file'}</p>;
  }
  const shown = ids.map((id) => files.get(id)).filter((f): f is FileView => f !== undefined);
  if (shown.length === 0) {
    return (
      <p className="muted notice">
        {message.kind === 'mediaOffer' ? 'shared an image' : 'shared files'} (no longer offered)
      </p>
    );
  }
  const more = shown.length > 4 ? shown.length - 4 : 0;
  return (
    <div className="offers">
      {shown.slice(0, 4).map((file) =>
        file.kind === 'image' ? (
          <ImageOffer key={file.id} file={file} onDownload={() => onDownload(file)} />
        ) : (
          <div key={file.id} className="file-tile">
            <span className="name">{file.name}</span>
            <span className="muted"> {formatBytes(file.size)}</span>
            {file.have ? (
              <span className="have" role="img" title="On this device" aria-label="on this device">
                ✓
              </span>
            ) : (
              <button
                type="button"
                className="link"
                onClick={() => onDownload(file)}
                disabled={file.downloading}
              >
                {file.downloading ? 'Downloading…' : 'Download'}
              </button>
            )}
          </div>
        ),
      )}
      {more > 0 ? <p className="muted">and {more} more in the Files tab</p> : null}
    </div>
  );
}
