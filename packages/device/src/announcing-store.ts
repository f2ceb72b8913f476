/**
 * A pool's message store that announces every message stored for the first time (whatever
 * brought it: this device, a broadcast, latest sync, reconciliation), so the device can show
 * it and note its offers. Wraps SQLite on a daemon, IndexedDB in a page.
 */
import type { MessageStore, PageQuery, StoredMessage } from '@poolnet/engine';
import type { MessageId } from '@poolnet/protocol';

export class AnnouncingStore implements MessageStore {
  constructor(
    private readonly inner: MessageStore,
    private readonly announce: (message: StoredMessage) => void,
  ) {}

  async append(message: StoredMessage): Promise<boolean> {
    const added = await this.inner.append(message);
    if (added) this.announce(message);
    return added;
  }
  has(id: MessageId) {
    return this.inner.has(id);
  }
  get(id: MessageId) {
    return this.inner.get(id);
  }
  page(query?: PageQuery) {
    return this.inner.page(query);
  }
  latest(limit: number, maxBytes: number) {
    return this.inner.latest(limit, maxBytes);
  }
  count() {
    return this.inner.count();
  }
}
