/**
 * The pool's files: size, origin, seeders online, a mark for the ones on this device,
 * download (with its progress), withdraw mine, share a folder, and folders with "download all /
 * missing".
 */
import { useRef, useState } from 'react';
import type { FileView, FolderView } from '../api/backend.js';
import { describeError } from '../api/errors.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { formatBytes } from '../format.js';
import { transferKey } from '../transfers/transfer.js';
import { useTransfersContext } from '../transfers/use-transfers.js';
import { ShareFolder, sharedNote } from './ShareFolder.js';
import type { PoolFiles } from './use-pool-files.js';

export function FilesTab({
  pool,
  files,
  deviceName,
  onFiles,
}: {
  pool: string;
  files: PoolFiles;
  deviceName: (id: string) => string;
  onFiles: (files: File[]) => void;
}) {
  const backend = useBackend();
  const transfers = useTransfersContext();
  const [error, setError] = useState<unknown>(null);
  const [folderNote, setFolderNote] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      files.refresh();
    } catch (err) {
      setError(err);
    }
  };

  const downloadFolder = (folder: FolderView, mode: 'all' | 'missing') =>
    act(async () => {
      setFolderNote(`Downloading ${folder.name}…`);
      try {
        const result = await backend.downloadFolder(pool, folder.id, mode);
        const failed = result.files.filter((f) => f.outcome === 'failed').length;
        setFolderNote(
          `${folder.name}: ${result.files.length - failed} files in ${result.path}${failed ? `, ${failed} failed` : ''}`,
        );
      } catch (err) {
        setFolderNote(`${folder.name}: ${describeError(err)}`);
      }
    });

  const progress = (f: FileView) => {
    const t = transfers.list.find((x) => x.key === transferKey('download', pool, f.id));
    return t && t.size > 0 ? Math.floor((t.bytes / t.size) * 100) : 0;
  };

  return (
    <section className="files-tab" aria-label="Files">
      <div className="toolbar row">
        {/* A real button (a hidden input inside a label is out of the Tab order). */}
        <button type="button" onClick={() => picker.current?.click()}>
          Share files…
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="files-tab-input"
          onChange={(e) => {
            const picked = e.currentTarget.files ? [...e.currentTarget.files] : [];
            e.currentTarget.value = '';
            if (picked.length) onFiles(picked);
          }}
        />
        <ShareFolder
          pool={pool}
          onShared={(shared) => {
            setError(null);
            setFolderNote(sharedNote(shared));
            files.refresh();
          }}
        />
      </div>
      <ErrorText error={error} />
      <p className="muted" role="status">
        {folderNote}
      </p>
      {files.folders.length === 0 && files.files.length === 0 ? (
        <p className="muted empty">Nothing is offered in this pool yet.</p>
      ) : null}
      <ul className="file-list">
        {files.folders.map((folder) => (
          <li key={folder.id} className="file-row folder">
            <div className="file-main">
              <span className="name">{folder.name}/</span>
              <span className="muted">
                {folder.fileCount} files · {formatBytes(folder.size)} · from{' '}
                {deviceName(folder.origin)} · {folder.seedersOnline} online · {folder.haveCount}/
                {folder.fileCount} here
              </span>
            </div>
            <div className="actions">
              <button type="button" onClick={() => void downloadFolder(folder, 'all')}>
                Download all
              </button>
              <button
                type="button"
                onClick={() => void downloadFolder(folder, 'missing')}
                disabled={folder.haveCount === folder.fileCount}
              >
                Download missing
              </button>
              {folder.mine ? (
                <button
                  type="button"
                  onClick={() => void act(() => backend.retract(pool, folder.id))}
                >
                  Withdraw
                </button>
              ) : null}
            </div>
          </li>
        ))}
        {files.files.map((file) => (
          <li key={file.id} className="file-row" data-testid={`file-${file.name}`}>
            <div className="file-main">
              <span className="name">
                {file.name}{' '}
                {file.have ? (
                  <span
                    className="have"
                    role="img"
                    title="On this device"
                    aria-label="on this device"
                  >
                    ✓
                  </span>
                ) : null}
              </span>
              <span className="muted">
                {formatBytes(file.size)} · from {deviceName(file.origin)} · {file.seedersOnline}{' '}
                seeder
                {file.seedersOnline === 1 ? '' : 's'} online
              </span>
              {file.downloading ? (
                <progress max={100} value={progress(file)} aria-label={`${file.name} progress`} />
              ) : null}
              {transfers.errors.get(transferKey('download', pool, file.id)) ? (
                <p className="error" role="alert">
                  {transfers.errors.get(transferKey('download', pool, file.id))}
                </p>
              ) : null}
            </div>
            <div className="actions">
              {!file.have && !file.downloading ? (
                <button
                  type="button"
                  onClick={() => void transfers.download(pool, file.id, file.name, file.size)}
                  disabled={file.seedersOnline === 0}
                >
                  Download
                </button>
              ) : null}
              {file.downloading ? (
                <button
                  type="button"
                  onClick={() => void act(() => backend.cancelDownload(pool, file.id))}
                >
                  Cancel
                </button>
              ) : null}
              {file.mine ? (
                <button
                  type="button"
                  onClick={() => void act(() => backend.retract(pool, file.id))}
                >
                  Withdraw
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
