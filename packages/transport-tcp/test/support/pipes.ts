import { createServer } from 'node:net';
import type { SignalPipe } from '@poolnet/engine';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A pipe that answers nothing: the far end never shows up. */
export const silentPipe = (): SignalPipe => ({ send: () => {}, onSignal: () => () => {} });

/** A pipe to drive one end by hand: `sent` holds its blobs, `deliver` plays the far end. */
export function handPipe(): SignalPipe & {
  sent: Uint8Array[];
  deliver(payload: Uint8Array): void;
  /** The sent blobs as JSON. */
  signals(): Array<Record<string, unknown>>;
} {
  const listeners = new Set<(payload: Uint8Array) => void>();
  const sent: Uint8Array[] = [];
  return {
    sent,
    send: (payload) => sent.push(payload),
    onSignal: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliver: (payload) => listeners.forEach((l) => l(payload)),
    signals: () => sent.map((b) => JSON.parse(decoder.decode(b)) as Record<string, unknown>),
  };
}

export const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

export interface WireCandidate {
  h: string;
  p: number;
}

/** A pipe whose outgoing offers and answers get their candidates replaced (a hostile network). */
export function rewritingPipe(
  pipe: SignalPipe,
  rewrite: (candidates: WireCandidate[], type: string) => WireCandidate[],
): SignalPipe {
  return {
    send: (payload) => {
      const signal = JSON.parse(decoder.decode(payload)) as { t: string; c?: WireCandidate[] };
      if (signal.c) signal.c = rewrite(signal.c, signal.t);
      pipe.send(json(signal));
    },
    onSignal: (listener) => pipe.onSignal(listener),
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
