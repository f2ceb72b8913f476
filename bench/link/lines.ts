/**
 * The line protocol between bench:link and its endpoint processes: one JSON object per line on
 * the child's stdin/stdout. `{"signal":"<base64>"}` carries a signalling blob (the parent
 * relays it to the other endpoint); anything else is a message of the run.
 */
import { createInterface } from 'node:readline';
import type { SignalPipe } from '@poolnet/engine';

export type LineMessage = Record<string, unknown>;

/** The endpoint's side: its parent on stdin/stdout. */
export class ParentLines {
  private readonly signalListeners = new Set<(payload: Uint8Array) => void>();
  private readonly waiters = new Set<(message: LineMessage) => void>();
  private readonly seen: LineMessage[] = [];

  /** Signalling through the parent, for `Transport.open`. */
  readonly signals: SignalPipe = {
    send: (payload) => this.send({ signal: Buffer.from(payload).toString('base64') }),
    onSignal: (listener) => {
      this.signalListeners.add(listener);
      return () => this.signalListeners.delete(listener);
    },
  };

  constructor() {
    createInterface({ input: process.stdin }).on('line', (line) => {
      let message: LineMessage;
      try {
        message = JSON.parse(line) as LineMessage;
      } catch {
        return;
      }
      if (typeof message.signal === 'string') {
        const payload = new Uint8Array(Buffer.from(message.signal, 'base64'));
        for (const listener of this.signalListeners) listener(payload);
        return;
      }
      this.seen.push(message);
      for (const waiter of this.waiters) waiter(message);
    });
    // The parent is gone or done with us.
    process.stdin.on('end', () => process.exit(0));
  }

  send(message: LineMessage): void {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  }

  /** The first message (already seen or to come) that has `key`. */
  next(key: string): Promise<LineMessage> {
    const found = this.seen.find((m) => key in m);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = (message: LineMessage): void => {
        if (!(key in message)) return;
        this.waiters.delete(waiter);
        resolve(message);
      };
      this.waiters.add(waiter);
    });
  }
}

/** What every endpoint is told on its command line. */
export interface EndpointArgs {
  readonly sizeBytes: number;
  readonly frameBytes: number;
  /** The sender pauses while this many bytes are buffered, until drain. */
  readonly highWaterBytes: number;
}

/** A fresh frame whose first four bytes are its sequence number (the receiver checks order). */
export function numberedFrame(seq: number, bytes: number): Uint8Array {
  const frame = new Uint8Array(bytes);
  if (bytes >= 4) new DataView(frame.buffer).setUint32(0, seq);
  return frame;
}

/** Counts received frames and checks their order; `done` once `sizeBytes` arrived. */
export class FrameCounter {
  private got = 0;
  private seq = 0;

  constructor(
    private readonly sizeBytes: number,
    private readonly done: () => void,
  ) {}

  add(frame: Uint8Array): void {
    if (frame.byteLength >= 4) {
      const n = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
      if (n !== this.seq) {
        process.stderr.write(`frame ${n} arrived where ${this.seq} was due\n`);
        process.exit(3);
      }
    }
    this.seq++;
    this.got += frame.byteLength;
    if (this.got === this.sizeBytes) this.done();
  }
}
