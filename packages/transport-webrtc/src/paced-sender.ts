import { FrameQueue } from '@poolnet/engine';
import type { RtcDataChannel } from './rtc.js';

export interface PacingLimits {
  /** Bytes handed to the data channel at most; the rest waits here. */
  readonly sliceBytes: number;
  /** Buffered bytes (here + in the data channel) at or below which drain fires. */
  readonly lowWaterMark: number;
}

/**
 * The send side of one data channel of a link. libdatachannel keeps ONE send queue for all the
 * streams of a connection, so a control frame sent after megabytes of bulk waited behind all of
 * them (measured: it arrived last after 16 MiB). So each channel hands its data channel at most
 * `sliceBytes` and keeps the rest in its own queue; the shared native queue then holds at most
 * a slice per channel, and control overtakes a bulk backlog. (The other half of the fix is a
 * large enough SCTP receive buffer, see `node-peer-connection.ts`. Browsers schedule streams
 * fairly themselves; the slice also keeps Chromium's 16 MiB per-channel buffer limit away.)
 *
 * Drain is driven by the channel's `bufferedamountlow` event, whose threshold follows the state:
 * half a slice while frames wait here (refill), the low-water mark once all are handed over.
 */
export class PacedSender {
  private readonly queue = new FrameQueue();
  private readonly refillMark: number;
  private threshold = -1;
  private aboveLow = false;

  constructor(
    private readonly channel: RtcDataChannel,
    private readonly limits: PacingLimits,
    private readonly drained: () => void,
  ) {
    this.refillMark = Math.floor(limits.sliceBytes / 2);
    channel.onbufferedamountlow = () => this.pump();
    this.retune();
  }

  /** Bytes queued here and in the data channel, not yet handed to the network. */
  get bufferedAmount(): number {
    return this.queue.bytes + this.channel.bufferedAmount;
  }

  /** Queue one frame; throws what the data channel throws (it is closing). */
  send(frame: Uint8Array): void {
    if (this.queue.length === 0 && this.channel.bufferedAmount < this.limits.sliceBytes) {
      this.channel.send(frame);
    } else {
      this.queue.push(frame);
      if (this.queue.length === 1) this.retune();
    }
    if (!this.aboveLow && this.bufferedAmount > this.limits.lowWaterMark) this.aboveLow = true;
  }

  /** Drop what waits here and stop listening (the link is closing). */
  stop(): void {
    this.queue.clear();
    this.channel.onbufferedamountlow = null;
  }

  private pump(): void {
    const { channel, queue } = this;
    try {
      while (queue.length > 0 && channel.bufferedAmount < this.limits.sliceBytes) {
        channel.send(queue.shift()!);
      }
    } catch {
      // Called from an event, so nobody could catch this; the link's close handling reports a
      // broken channel. What waits stays queued for the next drain.
      return;
    }
    if (this.aboveLow && this.bufferedAmount <= this.limits.lowWaterMark) {
      this.aboveLow = false;
      this.drained();
    }
    this.retune();
  }

  private retune(): void {
    const want = this.queue.length > 0 ? this.refillMark : this.limits.lowWaterMark;
    if (want === this.threshold) return;
    this.threshold = want;
    this.channel.bufferedAmountLowThreshold = want;
  }
}
