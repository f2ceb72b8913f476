/**
 * The message list: virtualised (only what is on screen is in the DOM), older pages loaded
 * when scrolled to the top with the reading position kept, new messages followed while at
 * the bottom, and a "go to latest" button otherwise. Messages are grouped by author device;
 * new ones are read out by a separate live region (the scrolling rows are not one).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { Message } from '../api/backend.js';
import { ErrorText } from '../app/ErrorText.js';
import { MessageItem, startsGroup } from './MessageItem.js';
import { NewMessageAnnouncer } from './NewMessageAnnouncer.js';
import type { MessagePages } from './use-message-pages.js';

/** Close enough to the edge to count as there. */
const EDGE_PX = 48;
export const ESTIMATED_ROW_PX = 48;

export function MessageList({
  pages,
  renderOffer,
  deviceName,
  hidden,
}: {
  pages: MessagePages;
  renderOffer: (message: Message) => ReactNode;
  deviceName: (deviceId: string) => string | undefined;
  /** Messages not worth a line (a seeder announcing a file it now holds). */
  hidden?: (message: Message) => boolean;
}) {
  const messages = useMemo(
    () => (hidden ? pages.messages.filter((m) => !hidden(m)) : pages.messages),
    [pages.messages, hidden],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const stick = useRef(true);

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: 8,
    getItemKey: (index) => messages[index]?.id ?? index,
    initialRect: { width: 360, height: 600 },
  });

  // Keep the place when older messages come in above: shift by what was added.
  const totalBefore = useRef(0);
  const topBefore = useRef(0);
  const lastSerial = useRef(pages.prepended.serial);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (pages.prepended.serial !== lastSerial.current) {
      lastSerial.current = pages.prepended.serial;
      const added = virtualizer.getTotalSize() - totalBefore.current;
      el.scrollTop = topBefore.current + Math.max(0, added);
    } else if (stick.current && messages.length > 0) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
      el.scrollTop = el.scrollHeight;
    }
    totalBefore.current = virtualizer.getTotalSize();
    topBefore.current = el.scrollTop;
  });

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    stick.current = bottom && !pages.hasNewer;
    setAtBottom(bottom);
    totalBefore.current = virtualizer.getTotalSize();
    topBefore.current = el.scrollTop;
    if (el.scrollTop < EDGE_PX && pages.hasOlder && !pages.loadingOlder) void pages.loadOlder();
  }, [pages, virtualizer]);

  useEffect(() => {
    if (!pages.hasNewer) return;
    stick.current = false;
  }, [pages.hasNewer]);

  const goToLatest = async () => {
    stick.current = true;
    if (pages.hasNewer) await pages.goToLatest();
    const el = scroller.current;
    if (el) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
      el.scrollTop = el.scrollHeight;
    }
    setAtBottom(true);
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div className="message-area">
      <div
        ref={scroller}
        className="message-scroller"
        data-testid="message-scroller"
        onScroll={onScroll}
        role="log"
        aria-label="Messages"
        aria-live="off"
        tabIndex={0}
      >
        {pages.hasOlder ? (
          <div className="older muted">{pages.loadingOlder ? 'Loading older messages…' : ''}</div>
        ) : messages.length > 0 ? (
          <div className="older muted">The beginning of this pool’s history on this device.</div>
        ) : null}
        {pages.loading && messages.length === 0 ? <p className="muted">Loading…</p> : null}
        {!pages.loading && messages.length === 0 ? (
          <p className="muted empty">No messages yet. Say hello.</p>
        ) : null}
        <ErrorText error={pages.error} />
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {items.map((item) => {
            const message = messages[item.index] as Message;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="message-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  width: '100%',
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <MessageItem
                  message={message}
                  header={startsGroup(messages[item.index - 1], message)}
                  deviceName={deviceName(message.author)}
                  offer={message.kind === 'text' ? null : renderOffer(message)}
                />
              </div>
            );
          })}
        </div>
      </div>
      <NewMessageAnnouncer messages={messages} />
      {!atBottom || pages.hasNewer ? (
        <button type="button" className="to-latest" onClick={() => void goToLatest()}>
          Go to latest ↓
        </button>
      ) : null}
    </div>
  );
}
