/** One message: a header when a new author group starts, then its text or its offer. */
import type { ReactNode } from 'react';
import type { Message } from '../api/backend.js';
import { formatTime, shortId } from '../format.js';

/** A new group: another device, or more than five minutes since the previous message. */
export function startsGroup(previous: Message | undefined, message: Message): boolean {
  return (
    previous === undefined ||
    previous.author !== message.author ||
    message.createdAt - previous.createdAt > 5 * 60_000
  );
}

export function MessageItem({
  message,
  header,
  deviceName,
  offer,
}: {
  message: Message;
  header: boolean;
  deviceName: string | undefined;
  offer: ReactNode;
}) {
  return (
    <article className={`message ${message.mine ? 'mine' : ''}`} data-message-id={message.id}>
      {header ? (
        <header className="message-header">
          <span className="author">
            {message.authorName ?? shortId(message.userId || message.author)}
          </span>
          {deviceName ? <span className="device muted"> · {deviceName}</span> : null}
          <time className="muted" dateTime={new Date(message.createdAt).toISOString()}>
            {' '}
            {formatTime(message.createdAt)}
          </time>
        </header>
      ) : null}
      {message.kind === 'text' ? (
        <p className="text" title={header ? undefined : formatTime(message.createdAt)}>
          {message.text}
        </p>
      ) : (
        <div className="offer-line">{offer}</div>
      )}
    </article>
  );
}
