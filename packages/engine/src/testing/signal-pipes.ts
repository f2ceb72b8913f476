import type { SignalPipe } from '../ports/transport.js';
import { Listeners } from '../util/listeners.js';

/**
 * Two connected signal pipes, as if relayed by a sync server: what one end sends, the other
 * receives on a later task (never synchronously, like a real relay).
 */
export function signalPipePair(): [SignalPipe, SignalPipe] {
  const toA = new Listeners<[Uint8Array]>();
  const toB = new Listeners<[Uint8Array]>();
  const later = (fn: () => void): void => void setTimeout(fn, 0);
  const a: SignalPipe = {
    send: (payload) => later(() => toB.emit(payload)),
    onSignal: (listener) => toA.add(listener),
  };
  const b: SignalPipe = {
    send: (payload) => later(() => toA.emit(payload)),
    onSignal: (listener) => toB.add(listener),
  };
  return [a, b];
}
