/**
 * A pool's messages as pages: the latest page first, older pages prepended on demand, new
 * messages appended while the latest page is shown (else only "there is newer"). Going to the
 * latest reloads the newest page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Backend, Message } from '../api/backend.js';
import { useBackendEvents } from '../app/use-backend-events.js';

export const PAGE_SIZE = 50;

export interface MessagePages {
  readonly messages: Message[];
  readonly hasOlder: boolean;
  readonly hasNewer: boolean;
  readonly loading: boolean;
  readonly loadingOlder: boolean;
  readonly error: unknown;
  /** Bumped by each prepend, with how many came: the list keeps its place by it. */
  readonly prepended: { count: number; serial: number };
  loadOlder(): Promise<void>;
  goToLatest(): Promise<void>;
  /** A message this page sent (shown at once, before its event). */
  add(message: Message): void;
}

export function useMessagePages(
  backend: Backend,
  pool: string,
  pageSize = PAGE_SIZE,
): MessagePages {
  const [messages, setMessages] = useState<Message[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [hasNewer, setHasNewer] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [prepended, setPrepended] = useState({ count: 0, serial: 0 });
  const olderInFlight = useRef(false);
  const current = useRef({ messages, hasNewer });
  current.current = { messages, hasNewer };

  const goToLatest = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const page = await backend.messages(pool, { limit: pageSize });
      setMessages(page.messages);
      setHasOlder(page.hasOlder);
      setHasNewer(page.hasNewer);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, [backend, pool, pageSize]);

  useEffect(() => {
    setMessages([]);
    void goToLatest();
  }, [goToLatest]);

  const loadOlder = useCallback(async () => {
    const first = current.current.messages[0];
    if (olderInFlight.current || !first) return;
    olderInFlight.current = true;
    setLoadingOlder(true);
    try {
      const page = await backend.messages(pool, { before: first.id, limit: pageSize });
      setMessages((old) => {
        const known = new Set(old.map((m) => m.id));
        const fresh = page.messages.filter((m) => !known.has(m.id));
        setPrepended((p) => ({ count: fresh.length, serial: p.serial + 1 }));
        return [...fresh, ...old];
      });
      setHasOlder(page.hasOlder);
    } catch (err) {
      setError(err);
    } finally {
      olderInFlight.current = false;
      setLoadingOlder(false);
    }
  }, [backend, pool, pageSize]);

  const add = useCallback((message: Message) => {
    if (current.current.hasNewer) return;
    setMessages((old) => (old.some((m) => m.id === message.id) ? old : [...old, message]));
  }, []);

  useBackendEvents(backend, (event) => {
    if (event.type !== 'message' || event.message.pool !== pool) return;
    if (current.current.hasNewer) return;
    add(event.message);
  });

  return {
    messages,
    hasOlder,
    hasNewer,
    loading,
    loadingOlder,
    error,
    prepended,
    loadOlder,
    goToLatest,
    add,
  };
}
