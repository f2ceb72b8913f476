/**
 * Pool messages as a device shows them (API.md `Message`), made from the stored signed bytes.
 */
import type { StoredMessage } from '@poolnet/engine';
import { type PoolMessage, decodePoolMessage, decodeSignedPoolMessage } from '@poolnet/protocol';

/** A message as the local API shows it (API.md `Message`). */
export interface MessageView {
  readonly id: string;
  readonly pool: string;
  readonly author: string;
  readonly userId: string;
  readonly authorName: string | null;
  readonly createdAt: number;
  readonly kind: string;
  readonly text: string;
  readonly mine: boolean;
  /** The file ids an offer or a withdrawal names (so the UI can show them in the chat). */
  readonly files?: string[];
}

/** The pool message inside a stored signed message, or undefined when it is damaged. */
export function decodeStored(stored: StoredMessage): PoolMessage | undefined {
  try {
    return decodePoolMessage(decodeSignedPoolMessage(stored.signed).body);
  } catch {
    return undefined;
  }
}

/** Who is looking: the pool, this device, and the display names it knows. */
export interface ViewContext {
  readonly pool: string;
  readonly selfId: string;
  displayName(userId: string): string | null;
}

/** `message`: the stored message decoded, when the caller has done it already. */
export function messageView(
  stored: StoredMessage,
  context: ViewContext,
  message = decodeStored(stored),
): MessageView {
  const userId = message?.userId ?? '';
  const kind = message ? (message.content.case ?? 'unknown') : 'damaged';
  const text = message?.content.case === 'text' ? message.content.value.text : '';
  return {
    id: stored.id,
    pool: context.pool,
    author: stored.author,
    userId,
    authorName: userId === '' ? null : context.displayName(userId),
    createdAt: stored.createdAt,
    kind,
    text,
    mine: stored.author === context.selfId,
    ...offerFiles(message),
  };
}

/** The file ids of an offer or a withdrawal, as `{ files }`; nothing for other messages. */
export function offerFiles(message: PoolMessage | undefined): { files?: string[] } {
  const content = message?.content;
  if (content?.case === 'fileOffer') return { files: content.value.files.map((f) => f.fileId) };
  if (content?.case === 'mediaOffer' && content.value.file) {
    return { files: [content.value.file.fileId] };
  }
  if (content?.case === 'retractOffer') return { files: [content.value.fileId] };
  return {};
}

/** Waits (up to ~1 s) for a message this device just sent to be stored; undefined if not. */
export async function waitStored(
  store: { get(id: StoredMessage['id']): Promise<StoredMessage | undefined> },
  id: StoredMessage['id'],
): Promise<StoredMessage | undefined> {
  for (let i = 0; i < 100; i++) {
    const stored = await store.get(id);
    if (stored) return stored;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}
