import type { MessageId } from '@poolnet/protocol';
import type { MessagePage, MessageStore, PageQuery, StoredMessage } from '../ports/store.js';

/** The message store in memory: tests, the simulator, and a browser tab without storage. */
export class MemoryMessageStore implements MessageStore {
  private readonly log: StoredMessage[] = [];
  private readonly index = new Map<string, number>();

  async append(message: StoredMessage): Promise<boolean> {
    if (this.index.has(message.id)) return false;
    this.index.set(message.id, this.log.length);
    this.log.push(message);
    return true;
  }

  async has(id: MessageId): Promise<boolean> {
    return this.index.has(id);
  }

  async get(id: MessageId): Promise<StoredMessage | undefined> {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.withSeq(at);
  }

  async page(query: PageQuery = {}): Promise<MessagePage> {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 500));
    let start: number;
    let end: number;
    if (query.after !== undefined) {
      const at = this.index.get(query.after);
      start = at === undefined ? this.log.length : at + 1;
      end = Math.min(this.log.length, start + limit);
    } else {
      const at = query.before === undefined ? undefined : this.index.get(query.before);
      end = query.before === undefined ? this.log.length : (at ?? 0);
      start = Math.max(0, end - limit);
    }
    const messages: StoredMessage[] = [];
    for (let i = start; i < end; i++) messages.push(this.withSeq(i));
    return {
      messages,
      hasOlder: start > 0,
      hasNewer: end < this.log.length,
    };
  }

  async latest(limit: number, maxBytes: number): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    let bytes = 0;
    for (let i = this.log.length - 1; i >= 0 && out.length < limit; i--) {
      const m = this.log[i]!;
      if (bytes + m.signed.length > maxBytes) break;
      bytes += m.signed.length;
      out.push(this.withSeq(i));
    }
    return out.reverse();
  }

  /** The arrival number is the position in the log, added only when read. */
  private withSeq(at: number): StoredMessage {
    return { ...this.log[at]!, seq: at + 1 };
  }

  async count(): Promise<number> {
    return this.log.length;
  }
}
