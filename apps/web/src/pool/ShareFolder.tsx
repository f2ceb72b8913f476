/**
 * "Share a folder…" in the Files tab. Desktop: a small form for a folder path on this
 * computer (typed or pasted), which the daemon shares in place, Syncthing-style; the page never
 * uploads it. Browser: the browser's folder picker (`webkitdirectory`); the page offers the
 * files it gives as one folder. Either way the pool sees one folder it can download whole.
 */
import { type FormEvent, useRef, useState } from 'react';
import {
  BackendError,
  type FolderFile,
  type FolderSource,
  type SharedFolder,
} from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';

/** What to tell the person once a folder is offered. */
export function sharedNote({ folder, skipped }: SharedFolder): string {
  const files = `${folder.fileCount} file${folder.fileCount === 1 ? '' : 's'}`;
  return `Shared ${folder.name}: ${files}${skipped.length > 0 ? `, ${skipped.length} left out` : ''}.`;
}

/** The files a `webkitdirectory` input picked, each with its path from the folder's name. */
export function pickedFolder(files: FileList | null): FolderFile[] {
  return [...(files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

export function ShareFolder({
  pool,
  onShared,
}: {
  pool: string;
  onShared: (shared: SharedFolder) => void;
}) {
  const backend = useBackend();
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const picker = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  const share = async (source: FolderSource): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      onShared(await backend.shareFolder(pool, source));
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (backend.mode === 'browser') {
    return (
      <>
        {/* A real button (a hidden input inside a label is out of the Tab order). */}
        <button type="button" disabled={busy} onClick={() => picker.current?.click()}>
          {busy ? 'Sharing the folder…' : 'Share a folder…'}
        </button>
        <input
          ref={(el) => {
            picker.current = el;
            // Not in React's typings: the attribute that makes it a folder picker.
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          hidden
          data-testid="folder-input"
          onChange={(e) => {
            const picked = pickedFolder(e.currentTarget.files);
            e.currentTarget.value = '';
            // An empty folder picks nothing: say so rather than nothing at all.
            if (picked.length > 0) void share({ files: picked });
            else setError(new BackendError('BAD_REQUEST', 'That folder holds no file to share.'));
          }}
        />
        {error ? (
          <div className="share-folder">
            <ErrorText error={error} />
          </div>
        ) : null}
      </>
    );
  }

  /** Closed, the form forgets its last refusal; the focus goes back to its button. */
  const close = () => {
    setOpen(false);
    setError(null);
    toggle.current?.focus();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() === '' || busy) return;
    if (await share({ path: path.trim() })) {
      setPath('');
      close();
    }
  };

  return (
    <>
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        onClick={() => (open ? close() : setOpen(true))}
      >
        Share a folder…
      </button>
      {open ? (
        <form className="share-folder" onSubmit={(e) => void submit(e)}>
          <div className="row">
            <input
              aria-label="Folder on this computer"
              placeholder="Folder path, e.g. /home/me/Photos"
              value={path}
              spellCheck={false}
              autoComplete="off"
              autoFocus
              onChange={(e) => setPath(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') close();
              }}
            />
            <button type="submit" disabled={busy || path.trim() === ''}>
              {busy ? 'Sharing…' : 'Share folder'}
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
          <ErrorText error={error} />
        </form>
      ) : null}
    </>
  );
}
