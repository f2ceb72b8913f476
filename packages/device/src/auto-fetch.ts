/**
 * Images others offer, up to a size, are fetched on their own when they arrive. Queued and
 * fetched on the next turn, so a withdrawal delivered in the same batch as its offer wins;
 * nothing is fetched before the device is attached to a node (attaching asks again).
 */
import type { Offer } from './offers.js';

export interface AutoFetchOptions {
  readonly selfId: string;
  /** Images up to this many bytes are fetched; 0: never. */
  limit(): number;
  /** Runs `run` on the next turn; returns what cancels it. */
  defer(run: () => void): () => void;
  /** Whether a download can start now (attached to a node's file transfer). */
  ready(): boolean;
  /** Whether `fileId` is still wanted: offered, not held, not downloading. */
  wanted(fileId: string): boolean;
  fetch(fileId: string): Promise<unknown>;
  log(line: string): void;
}

export class AutoFetch {
  private readonly queue = new Set<string>();
  private cancelTurn: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: AutoFetchOptions) {}

  /** An image within the limit, offered by another node: fetched once nothing withdrew it. */
  consider(offer: Offer): void {
    const limit = this.options.limit();
    if (limit <= 0 || offer.media?.kind !== 'image' || offer.retracted) return;
    if (offer.info.originNodeId === this.options.selfId || Number(offer.info.size) > limit) return;
    this.queue.add(offer.info.fileId);
    this.soon();
  }

  /** Fetches what is queued on the next turn (if it can by then). */
  soon(): void {
    if (this.cancelTurn || this.queue.size === 0 || this.closed) return;
    this.cancelTurn = this.options.defer(() => {
      this.cancelTurn = undefined;
      if (!this.options.ready() || this.closed) return; // attach() asks again
      for (const fileId of [...this.queue]) {
        this.queue.delete(fileId);
        if (!this.options.wanted(fileId)) continue;
        this.options
          .fetch(fileId)
          .catch((err: unknown) =>
            this.options.log(`fetching image ${fileId} failed: ${String(err)}`),
          );
      }
    });
  }

  close(): void {
    this.closed = true;
    this.cancelTurn?.();
    this.cancelTurn = undefined;
    this.queue.clear();
  }
}
