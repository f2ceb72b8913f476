import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { SignalPipe } from '@poolnet/engine';

/** A line of the channel that is not a signalling blob. */
export type LineMessage = Record<string, unknown>;

/**
 * Two processes talking over a pair of streams (a child's stdin/stdout), one JSON object per
 * line: `{"signal":"<base64>"}` carries a signalling blob, anything else is an app message.
 * Tests and the throughput probe relay a link's signalling through it.
 */
export class LineChannel {
  private readonly signalListeners = new Set<(payload: Uint8Array) => void>();
  private readonly messageListeners = new Set<(message: LineMessage) => void>();

  /** The signalling side, for `Transport.open`. */
  readonly signals: SignalPipe = {
    send: (payload) => this.send({ signal: Buffer.from(payload).toString('base64') }),
    onSignal: (listener) => {
      this.signalListeners.add(listener);
      return () => this.signalListeners.delete(listener);
    },
  };

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    createInterface({ input }).on('line', (line) => {
      let message: LineMessage;
      try {
        message = JSON.parse(line) as LineMessage;
      } catch {
        return; // Not ours (a stray log line).
      }
      if (typeof message.signal === 'string') {
        const payload = new Uint8Array(Buffer.from(message.signal, 'base64'));
        for (const listener of this.signalListeners) listener(payload);
      } else {
        for (const listener of this.messageListeners) listener(message);
      }
    });
  }

  send(message: LineMessage): void {
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  onMessage(listener: (message: LineMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** The next app message that satisfies `match`. */
  next(match: (message: LineMessage) => boolean): Promise<LineMessage> {
    return new Promise((resolve) => {
      const off = this.onMessage((message) => {
        if (!match(message)) return;
        off();
        resolve(message);
      });
    });
  }
}
