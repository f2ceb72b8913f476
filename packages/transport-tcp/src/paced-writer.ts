import type { Writable } from 'node:stream';
import type { Channel } from '@poolnet/engine';
import { FrameQueue } from '@poolnet/engine';
import { frameHeader, Tag } from './frame-codec.js';

export interface PacingLimits {
  /** Bytes the socket may hold unwritten at most; the rest waits here. */
  readonly sliceBytes: number;
  /** Buffered bytes of a channel (here + in the socket) at or below which drain fires. */
  readonly lowWaterMark: number;
}

/**
 * The send side of a link: both channels share one TLS stream, and a socket is a single FIFO,
 * so a control frame written after megabytes of bulk would wait behind all of them. So each
 * channel queues here, and the socket is given at most `sliceBytes` of unwritten data at a
 * time, control first: a control frame waits behind at most one slice (plus what the kernel
 * already holds), however large the bulk backlog.
 *
 * Header and payload are separate writes inside `cork()`/`uncork()`, which Node.js hands to
 * the socket as one gathered write: the payload is never copied into a joined buffer (TLS
 * still copies it once, when it encrypts). Each payload's write callback says it left the
 * socket: that keeps the per-channel count of bytes still in the socket, refills the socket,
 * and fires drain.
 */
export class PacedWriter {
  private readonly queues: Record<Channel, FrameQueue> = {
    control: new FrameQueue(),
    bulk: new FrameQueue(),
  };
  private readonly inSocket: Record<Channel, number> = { control: 0, bulk: 0 };
  private readonly aboveLow: Record<Channel, boolean> = { control: false, bulk: false };
  private stopped = false;
  private pumping = false;

  constructor(
    private readonly socket: Writable,
    private readonly limits: PacingLimits,
    private readonly drained: (channel: Channel) => void,
  ) {}

  /** Bytes of a channel queued here or in the socket, not yet handed to the kernel. */
  bufferedAmount(channel: Channel): number {
    return this.queues[channel].bytes + this.inSocket[channel];
  }

  /** Queue one frame and write what the slice allows. Do not change `frame` afterwards. */
  send(channel: Channel, frame: Uint8Array): void {
    if (this.stopped) return;
    this.queues[channel].push(frame);
    if (this.bufferedAmount(channel) > this.limits.lowWaterMark) this.aboveLow[channel] = true;
    this.pump();
  }

  /** Drop what waits here and forget the socket's callbacks (the link is closing). */
  stop(): void {
    this.stopped = true;
    for (const channel of ['control', 'bulk'] as const) {
      this.queues[channel].clear();
      this.inSocket[channel] = 0;
    }
  }

  private pump(): void {
    const { socket, queues } = this;
    if (this.stopped || this.pumping || socket.writableLength >= this.limits.sliceBytes) return;
    if (socket.destroyed || !socket.writable) return;
    this.pumping = true;
    socket.cork();
    try {
      while (socket.writableLength < this.limits.sliceBytes) {
        const channel = queues.control.length > 0 ? 'control' : 'bulk';
        const frame = queues[channel].shift();
        if (!frame) break;
        const bytes = frame.byteLength;
        this.inSocket[channel] += bytes;
        const done = (): void => this.written(channel, bytes);
        const tag = channel === 'control' ? Tag.CONTROL : Tag.BULK;
        if (bytes === 0) {
          socket.write(frameHeader(tag, 0), done);
        } else {
          socket.write(frameHeader(tag, bytes));
          socket.write(frame, done);
        }
      }
    } finally {
      socket.uncork();
      this.pumping = false;
    }
  }

  private written(channel: Channel, bytes: number): void {
    if (this.stopped) return;
    this.inSocket[channel] -= bytes;
    this.pump();
    if (this.aboveLow[channel] && this.bufferedAmount(channel) <= this.limits.lowWaterMark) {
      this.aboveLow[channel] = false;
      this.drained(channel);
    }
  }
}
