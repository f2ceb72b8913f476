/**
 * One pool: the info bar (name, who is online, links and relays, transfers moving), and three
 * tabs: chat (messages + composer), files and people. Files dropped anywhere on it are shared;
 * a dropped folder too, as one folder offer, in the browser node.
 */
import { type DragEvent, useCallback, useEffect, useMemo, useState } from 'react';
import type { FileView, FolderFile, Member, Message, Pool, Status } from '../api/backend.js';
import { describeError } from '../api/errors.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { shortId } from '../format.js';
import { useTransfersContext } from '../transfers/use-transfers.js';
import { Composer } from './Composer.js';
import { splitDrop } from './dropped-folders.js';
import { FilesTab } from './FilesTab.js';
import { LinkSummary } from './LinkSummary.js';
import { MessageList } from './MessageList.js';
import { OfferCard } from './OfferCard.js';
import { PeopleTab } from './PeopleTab.js';
import { useMessagePages } from './use-message-pages.js';
import { usePoolFiles } from './use-pool-files.js';

export type PoolTab = 'chat' | 'files' | 'people';

export function PoolView({
  pool,
  tab,
  status,
  onTab,
  onRenamed,
  onBack,
}: {
  pool: Pool;
  tab: PoolTab;
  status: Status | null;
  onTab: (tab: PoolTab) => void;
  onRenamed: () => void;
  onBack: () => void;
}) {
  const backend = useBackend();
  const transfers = useTransfersContext();
  const pages = useMessagePages(backend, pool.id);
  const files = usePoolFiles(backend, pool.id);
  const [members, setMembers] = useState<Member[]>([]);
  const [sharing, setSharing] = useState(0);
  const [shareError, setShareError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    backend.members(pool.id).then(setMembers, () => undefined);
  }, [backend, pool.id, pool.online]);

  const devices = useMemo(() => {
    const names = new Map<string, string>();
    for (const m of members) for (const d of m.devices) names.set(d.id, `${d.name}`);
    return names;
  }, [members]);
  const deviceName = useCallback((id: string) => devices.get(id), [devices]);
  const originName = useCallback((id: string) => devices.get(id) ?? shortId(id), [devices]);

  const share = useCallback(
    async (picked: File[]) => {
      setShareError(null);
      setSharing((n) => n + picked.length);
      try {
        await backend.share(pool.id, picked);
        files.refresh();
      } catch (err) {
        setShareError(describeError(err));
      } finally {
        setSharing((n) => n - picked.length);
      }
    },
    [backend, pool.id, files],
  );

  const onDownload = useCallback(
    (file: FileView) => void transfers.download(pool.id, file.id, file.name, file.size),
    [transfers, pool.id],
  );
  const renderOffer = useCallback(
    (message: Message) => (
      <OfferCard message={message} files={files.byId} onDownload={onDownload} />
    ),
    [files.byId, onDownload],
  );

  // A device that finished a download offers the file again as a seeder: not a chat line.
  const hidden = useCallback(
    (message: Message) => {
      if (message.kind !== 'fileOffer' && message.kind !== 'mediaOffer') return false;
      const named = (message.files ?? []).map((id) => files.byId.get(id));
      return named.length > 0 && named.every((f) => f !== undefined && f.origin !== message.author);
    },
    [files.byId],
  );

  const poolMoving = transfers.list.some(
    (t) =>
      t.pool === pool.id &&
      (t.state === 'hashes' || t.state === 'data') &&
      t.direction === 'download',
  );
  const anyMoving = transfers.moving > 0 || sharing > 0;
  const poolStatus = status?.pools.find((p) => p.id === pool.id);
  const joined = poolStatus?.joined ?? false;

  const rename = async () => {
    const name = window.prompt('New name for the pool', pool.name)?.trim();
    if (!name || name === pool.name) return;
    try {
      await backend.renamePool(pool.id, name);
      onRenamed();
    } catch (err) {
      setShareError(describeError(err));
    }
  };

  /** A dropped folder: one folder offer in the page; the daemon shares folders by path only. */
  const shareFolder = async (read: Promise<FolderFile[]>) => {
    setShareError(null);
    if (backend.mode !== 'browser') {
      setShareError('To share a folder, type its path in Files → Share a folder…');
      return;
    }
    setSharing((n) => n + 1);
    try {
      await backend.shareFolder(pool.id, { files: await read });
      files.refresh();
    } catch (err) {
      setShareError(describeError(err));
    } finally {
      setSharing((n) => n - 1);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const dropped = splitDrop(e.dataTransfer);
    if (dropped.files.length > 0) void share(dropped.files);
    for (const folder of dropped.folders) void shareFolder(folder);
  };

  return (
    <div
      className={`pool-view ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="info-bar">
        <button type="button" className="icon back" aria-label="Back to pools" onClick={onBack}>
          ←
        </button>
        <h1 className="pool-name">{pool.name}</h1>
        {pool.role === 'owner' ? (
          <button type="button" className="link" onClick={() => void rename()}>
            Rename
          </button>
        ) : null}
        <span className="muted presence">
          <span className={`dot ${joined ? 'on' : 'off'}`} aria-hidden="true" />
          {joined ? `${pool.online} online` : 'connecting…'} · {pool.members} member
          {pool.members === 1 ? '' : 's'}
        </span>
        <LinkSummary links={poolStatus?.links ?? []} nat={status?.nat ?? null} />
        {anyMoving ? (
          <span className="moving" role="status" aria-label="Transfers in progress">
            ⇅ {sharing > 0 ? `sharing ${sharing}` : `${transfers.moving} moving`}
          </span>
        ) : null}
      </div>
      <div className="tabs" role="tablist">
        {(['chat', 'files', 'people'] as const).map((t) => (
          <button
            key={t}
            id={`pool-tab-${t}`}
            type="button"
            role="tab"
            aria-selected={tab === t}
            aria-controls="pool-tab-body"
            className={tab === t ? 'active' : ''}
            onClick={() => onTab(t)}
          >
            {t === 'chat' ? 'Chat' : t === 'files' ? 'Files' : 'People'}
            {t === 'files' && poolMoving ? (
              <span className="badge moving-dot" role="img" aria-label="downloading" />
            ) : null}
            {t === 'files' && files.files.length + files.folders.length > 0 ? (
              <span className="muted"> {files.files.length + files.folders.length}</span>
            ) : null}
          </button>
        ))}
      </div>
      {shareError ? (
        <p className="error" role="alert">
          {shareError}
        </p>
      ) : null}
      <ErrorText error={files.error} />
      <div
        className="tab-body"
        id="pool-tab-body"
        role="tabpanel"
        aria-labelledby={`pool-tab-${tab}`}
      >
        {tab === 'chat' ? (
          <>
            <MessageList
              pages={pages}
              renderOffer={renderOffer}
              deviceName={deviceName}
              hidden={hidden}
            />
            <Composer
              onSend={async (text) => {
                pages.add(await backend.send(pool.id, text));
              }}
              onFiles={(picked) => void share(picked)}
            />
          </>
        ) : null}
        {tab === 'files' ? (
          <FilesTab
            pool={pool.id}
            files={files}
            deviceName={originName}
            onFiles={(picked) => void share(picked)}
          />
        ) : null}
        {tab === 'people' ? (
          <PeopleTab pool={pool} status={status} me={status?.userId ?? null} />
        ) : null}
      </div>
      {dragging ? <div className="drop-hint">Drop to share in {pool.name}</div> : null}
    </div>
  );
}
