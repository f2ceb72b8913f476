/**
 * A pool's message log as a device's runtime uses it: the store the engine node writes to
 * (announcing each new message, its offers noted before it is shown), and the views of it the
 * API returns. The daemon gives it SQLite, the page IndexedDB.
 */
import type { MessageStore, PageQuery, StoredMessage } from '@poolnet/engine';
import type { MessageId, PoolMessage } from '@poolnet/protocol';
import { AnnouncingStore } from './announcing-store.js';
import {
  type MessageView,
  type ViewContext,
  decodeStored,
  messageView,
  waitStored,
} from './messages.js';

export interface MessageLogOptions {
  /** A message was stored for the first time (decoded unless damaged): note its offers. */
  noteMessage(message: PoolMessage): void;
  /** Then it is shown. */
  onMessage(view: MessageView): void;
}

export class MessageLog {
  /** What the engine node stores into. */
  readonly store: AnnouncingStore;

  constructor(
    inner: MessageStore,
    private readonly context: ViewContext,
    options: MessageLogOptions,
  ) {
    this.store = new AnnouncingStore(inner, (stored) => {
      const message = decodeStored(stored);
      if (message) options.noteMessage(message);
      options.onMessage(this.view(stored, message));
    });
  }

  /** `message`: the stored message decoded, when the caller has done it already. */
  view(stored: StoredMessage, message = decodeStored(stored)): MessageView {
    return messageView(stored, this.context, message);
  }

  async page(
    query: PageQuery,
  ): Promise<{ messages: MessageView[]; hasOlder: boolean; hasNewer: boolean }> {
    const page = await this.store.page(query);
    return {
      messages: page.messages.map((m) => this.view(m)),
      hasOlder: page.hasOlder,
      hasNewer: page.hasNewer,
    };
  }

  has(id: MessageId): Promise<boolean> {
    return this.store.has(id);
  }

  /** The view of a message this device just sent, once stored; undefined if it never was. */
  async sent(id: MessageId): Promise<MessageView | undefined> {
    const stored = await waitStored(this.store, id);
    return stored && this.view(stored);
  }
}
