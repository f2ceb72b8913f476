import { FrameQueue, type Channel } from '@poolnet/engine';

/**
 * Frames sent while a link re-opens, per channel, bounded in bytes (both channels together):
 * they go out on the new carrier in the order they were sent. What does not fit is refused,
 * and the link counts it as dropped, as a lossy network would.
 */
export class HeldFrames {
  private readonly queues: Record<Channel, FrameQueue> = {
    control: new FrameQueue(),
    bulk: new FrameQueue(),
  };

  constructor(private readonly maxBytes: number) {}

  /** False when the frame does not fit. */
  push(channel: Channel, frame: Uint8Array): boolean {
    if (this.bytes + frame.byteLength > this.maxBytes) return false;
    this.queues[channel].push(frame);
    return true;
  }

  bytesOf(channel: Channel): number {
    return this.queues[channel].bytes;
  }

  get bytes(): number {
    return this.queues.control.bytes + this.queues.bulk.bytes;
  }

  /** Take every frame of `channel`, oldest first. */
  *drain(channel: Channel): Generator<Uint8Array> {
    const queue = this.queues[channel];
    for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) yield frame;
  }

  clear(): void {
    this.queues.control.clear();
    this.queues.bulk.clear();
  }
}
