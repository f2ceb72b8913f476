/**
 * The transfers of this device: live downloads and uploads from the event stream, the
 * download history from the backend, and the actions on them (start, cancel, retry).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { Backend, DownloadRecord } from '../api/backend.js';
import { describeError } from '../api/errors.js';
import { useBackendEvents } from '../app/use-backend-events.js';
import { type Transfer, foldTransfer, isMoving, transferKey } from './transfer.js';

export interface Transfers {
  readonly list: Transfer[];
  readonly history: DownloadRecord[];
  /** How many move right now (the indicator). */
  readonly moving: number;
  readonly now: number;
  /** Errors of downloads started here, by transfer key. */
  readonly errors: ReadonlyMap<string, string>;
  download(pool: string, file: string, name: string, size: number): Promise<void>;
  cancel(transfer: Transfer): Promise<void>;
  retry(transfer: Transfer): Promise<void>;
  refreshHistory(): void;
}

export const TransfersContext = createContext<Transfers | null>(null);

export function useTransfersContext(): Transfers {
  const transfers = useContext(TransfersContext);
  if (!transfers) throw new Error('useTransfersContext outside <TransfersContext.Provider>');
  return transfers;
}

export function useTransfers(backend: Backend, clock: () => number = Date.now): Transfers {
  const [map, setMap] = useState<ReadonlyMap<string, Transfer>>(new Map());
  const [history, setHistory] = useState<DownloadRecord[]>([]);
  const [errors, setErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [now, setNow] = useState(clock);

  const refreshHistory = useCallback(() => {
    backend.downloadHistory().then(setHistory, () => undefined);
  }, [backend]);
  useEffect(refreshHistory, [refreshHistory]);

  // Uploads go idle without an event: look again every second while any is shown moving.
  const anyUpload = [...map.values()].some((t) => t.direction === 'upload' && isMoving(t, now));
  useEffect(() => {
    if (!anyUpload) return;
    const timer = setInterval(() => setNow(clock()), 1000);
    return () => clearInterval(timer);
  }, [anyUpload, clock]);

  useBackendEvents(backend, (event) => {
    if (event.type !== 'download' && event.type !== 'upload') return;
    const at = clock();
    setNow(at);
    setMap((old) => {
      const key = transferKey(event.type, event.pool, event.file);
      const next = foldTransfer(old.get(key), event, at);
      if (!next) return old;
      const copy = new Map(old);
      copy.set(key, next);
      return copy;
    });
    if (event.type === 'download' && ['done', 'failed', 'cancelled'].includes(event.state)) {
      refreshHistory();
    }
  });

  const setError = useCallback((key: string, message: string | null) => {
    setErrors((old) => {
      const copy = new Map(old);
      if (message === null) copy.delete(key);
      else copy.set(key, message);
      return copy;
    });
  }, []);

  const download = useCallback(
    async (pool: string, file: string, name: string, size: number) => {
      const key = transferKey('download', pool, file);
      setError(key, null);
      // Shown at once, before the first progress event.
      const at = clock();
      setMap((old) => {
        const copy = new Map(old);
        const before = old.get(key);
        if (!before || !isMoving(before, at)) {
          copy.set(key, {
            key,
            pool,
            file,
            name,
            direction: 'download',
            size,
            bytes: 0,
            state: 'hashes',
            speed: 0,
            startedAt: at,
            updatedAt: at,
          });
        }
        return copy;
      });
      try {
        await backend.download(pool, file);
      } catch (err) {
        setError(key, describeError(err));
        setMap((old) => {
          const t = old.get(key);
          if (!t || !isMoving(t, clock())) return old;
          const copy = new Map(old);
          copy.set(key, { ...t, state: 'failed', error: describeError(err) });
          return copy;
        });
      }
    },
    [backend, clock, setError],
  );

  const cancel = useCallback(
    async (t: Transfer) => {
      try {
        await backend.cancelDownload(t.pool, t.file);
      } catch (err) {
        setError(t.key, describeError(err));
      }
    },
    [backend, setError],
  );

  const retry = useCallback((t: Transfer) => download(t.pool, t.file, t.name, t.size), [download]);

  return useMemo(() => {
    const list = [...map.values()].sort((a, b) => b.startedAt - a.startedAt);
    return {
      list,
      history,
      moving: list.filter((t) => isMoving(t, now)).length,
      now,
      errors,
      download,
      cancel,
      retry,
      refreshHistory,
    };
  }, [map, history, now, errors, download, cancel, retry, refreshHistory]);
}
