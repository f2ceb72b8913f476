/**
 * Tells screen readers that messages arrived. The virtualised list itself is not a live region
 * (rows come and go as it scrolls); this polite region says only what arrived at the end
 * since the last render (who wrote, how many): someone else's messages, never the history
 * loaded on open or above.
 */
import { useEffect, useRef, useState } from 'react';
import type { Message } from '../api/backend.js';
import { shortId } from '../format.js';

const who = (m: Message) => m.authorName ?? shortId(m.userId || m.author);

/** Who wrote, not the text: the log has it, and a copy here would match every text search. */
function spoken(arrived: readonly Message[]): string {
  const authors = [...new Set(arrived.map(who))];
  const names =
    authors.length === 1 ? authors[0] : `${authors.slice(0, -1).join(', ')} and ${authors.at(-1)}`;
  if (arrived.length > 1) return `${arrived.length} new messages from ${names}`;
  const [m] = arrived as [Message];
  if (m.kind === 'text') return `New message from ${names}`;
  if (m.kind === 'retractOffer') return `${names} withdrew a file`;
  return `${names} shared ${m.kind === 'mediaOffer' ? 'an image' : 'files'}`;
}

export function NewMessageAnnouncer({ messages }: { messages: readonly Message[] }) {
  const lastId = useRef<string | null>(null);
  const [said, setSaid] = useState('');

  useEffect(() => {
    const last = messages[messages.length - 1];
    if (!last || last.id === lastId.current) return;
    const from = lastId.current === null ? -1 : messages.findIndex((m) => m.id === lastId.current);
    lastId.current = last.id;
    // First render, or a jump to another page: nothing "arrived".
    if (from < 0) return;
    const arrived = messages.slice(from + 1).filter((m) => !m.mine);
    if (arrived.length === 0) return;
    setSaid(spoken(arrived));
  }, [messages]);

  return (
    <div className="sr-only" role="status" aria-live="polite" data-testid="new-messages-live">
      {said}
    </div>
  );
}
