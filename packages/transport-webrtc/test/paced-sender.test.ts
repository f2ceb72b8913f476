import { describe, expect, it } from 'vitest';
import { PacedSender } from '../src/paced-sender.js';
import type { RtcDataChannel } from '../src/rtc.js';

/** A data channel whose network we drain by hand; fires bufferedamountlow like libdatachannel. */
class FakeChannel implements RtcDataChannel {
  readonly label = 'bulk';
  readyState: RtcDataChannel['readyState'] = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'arraybuffer';
  sent: Uint8Array[] = [];
  onopen = null;
  onclose = null;
  onmessage = null;
  onbufferedamountlow: ((event: unknown) => void) | null = null;

  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('not open');
    this.sent.push(data);
    this.bufferedAmount += data.byteLength;
  }

  close(): void {
    this.readyState = 'closed';
  }

  /** The network takes `bytes`. */
  drain(bytes: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount = Math.max(0, before - bytes);
    if (before > this.bufferedAmountLowThreshold) {
      if (this.bufferedAmount <= this.bufferedAmountLowThreshold) this.onbufferedamountlow?.({});
    }
  }
}

const KiB = 1024;
const frame = (n: number): Uint8Array => new Uint8Array(64 * KiB).fill(n);

describe('paced sender', () => {
  it('hands the channel one slice at most and keeps the order', () => {
    const channel = new FakeChannel();
    let drains = 0;
    const sender = new PacedSender(
      channel,
      { sliceBytes: 256 * KiB, lowWaterMark: 128 * KiB },
      () => drains++,
    );
    for (let i = 0; i < 32; i++) sender.send(frame(i));
    expect(channel.bufferedAmount).toBe(256 * KiB);
    expect(sender.bufferedAmount).toBe(32 * 64 * KiB);
    expect(channel.bufferedAmountLowThreshold).toBe(128 * KiB);
    while (sender.bufferedAmount > 0) channel.drain(64 * KiB);
    expect(channel.sent.map((f) => f[0])).toEqual([...Array(32).keys()]);
    expect(drains).toBe(1);
  });

  it('fires drain at the low-water mark once everything is handed over', () => {
    const channel = new FakeChannel();
    let drains = 0;
    const sender = new PacedSender(
      channel,
      { sliceBytes: 1024 * KiB, lowWaterMark: 64 * KiB },
      () => drains++,
    );
    for (let i = 0; i < 4; i++) sender.send(frame(i));
    expect(channel.bufferedAmountLowThreshold).toBe(64 * KiB);
    channel.drain(128 * KiB);
    expect(drains).toBe(0);
    channel.drain(64 * KiB);
    expect(drains).toBe(1);
    expect(sender.bufferedAmount).toBe(64 * KiB);
  });

  it('does not fire drain when it never went above the low-water mark', () => {
    const channel = new FakeChannel();
    let drains = 0;
    const sender = new PacedSender(
      channel,
      { sliceBytes: 1024 * KiB, lowWaterMark: 1024 * KiB },
      () => drains++,
    );
    sender.send(frame(1));
    channel.drain(64 * KiB);
    expect(drains).toBe(0);
  });

  it('drops what waits on stop and passes on a closed channel error', () => {
    const channel = new FakeChannel();
    const sender = new PacedSender(channel, { sliceBytes: 64 * KiB, lowWaterMark: 0 }, () => {});
    sender.send(frame(1));
    sender.send(frame(2));
    sender.stop();
    expect(sender.bufferedAmount).toBe(64 * KiB);
    channel.drain(64 * KiB);
    expect(channel.sent).toHaveLength(1);
    channel.close();
    expect(() => sender.send(frame(3))).toThrow('not open');
  });
});
