/** A pool's offered files and folders, read again (coalesced) when offers or holdings change. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Backend, FileView, FolderView } from '../api/backend.js';
import { useBackendEvents } from '../app/use-backend-events.js';

export interface PoolFiles {
  readonly files: FileView[];
  readonly folders: FolderView[];
  readonly byId: ReadonlyMap<string, FileView>;
  readonly error: unknown;
  refresh(): void;
}

export function usePoolFiles(backend: Backend, pool: string): PoolFiles {
  const [state, setState] = useState<{ files: FileView[]; folders: FolderView[] }>({
    files: [],
    folders: [],
  });
  const [folderFiles, setFolderFiles] = useState<FileView[]>([]);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const answer = await backend.files(pool);
      setState(answer);
      // Files inside folders are listed by folder; the chat needs them too (offers name them).
      const inside = await Promise.all(
        answer.folders.map((f) => backend.folder(pool, f.id).then((x) => x.files)),
      );
      setFolderFiles(inside.flat());
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [backend, pool]);

  const refresh = useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load();
    }, 250);
  }, [load]);

  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);

  useBackendEvents(backend, (event) => {
    if (event.type === 'message') {
      if (event.message.pool === pool && event.message.kind !== 'text') refresh();
      return;
    }
    if (!('pool' in event) || event.pool !== pool) return;
    if (event.type === 'offer' || event.type === 'seeding' || event.type === 'pool') refresh();
    else if (event.type === 'download' && event.state !== 'data') refresh();
  });

  const byId = useMemo(() => {
    const map = new Map<string, FileView>();
    for (const f of [...state.files, ...folderFiles]) map.set(f.id, f);
    return map;
  }, [state.files, folderFiles]);
  return { files: state.files, folders: state.folders, byId, error, refresh };
}
