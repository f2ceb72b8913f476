import type { Channel } from '../ports/transport.js';
import { Listeners } from './listeners.js';

/**
 * The events of one open peer link, for transports: frames, drains and the close, each to
 * every listener (one that throws stops neither the others nor the link). Frames that arrive
 * before anyone listens are held and handed to the first `onMessage` listener, so none is lost
 * between `open` resolving and the caller subscribing. After `close`, nothing more is emitted
 * and every listener is dropped.
 */
export class LinkEvents {
  private inbox: Array<readonly [Uint8Array, Channel]> | undefined;
  private flushing = false;
  private ended = false;
  private readonly messages = new Listeners<[Uint8Array, Channel]>();
  private readonly drains = new Listeners<[Channel]>();
  private readonly closes = new Listeners<[Error | undefined]>();

  /** `early`: frames received before the link was made, held like later ones. */
  constructor(early: ReadonlyArray<readonly [Uint8Array, Channel]> = []) {
    this.inbox = [...early];
  }

  onMessage(listener: (frame: Uint8Array, channel: Channel) => void): () => void {
    const off = this.messages.add(listener);
    if (this.inbox && !this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flushInbox());
    }
    return off;
  }

  onDrain(listener: (channel: Channel) => void): () => void {
    return this.drains.add(listener);
  }

  onClose(listener: (reason?: Error) => void): () => void {
    return this.closes.add(listener);
  }

  /** A frame arrived. */
  message(frame: Uint8Array, channel: Channel): void {
    if (this.ended) return;
    if (this.inbox) this.inbox.push([frame, channel]);
    else this.messages.emit(frame, channel);
  }

  /** A channel's buffered amount fell to its low-water mark. */
  drain(channel: Channel): void {
    if (!this.ended) this.drains.emit(channel);
  }

  /** The link closed (once; later calls do nothing). */
  close(reason: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.inbox = undefined;
    this.closes.emit(reason);
    this.messages.clear();
    this.drains.clear();
    this.closes.clear();
  }

  private flushInbox(): void {
    const inbox = this.inbox;
    this.inbox = undefined;
    if (!inbox || this.ended) return;
    for (const [frame, channel] of inbox) this.messages.emit(frame, channel);
  }
}
