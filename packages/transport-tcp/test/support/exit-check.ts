/**
 * Opens links, moves frames, aborts an open, fails one by timeout and one against a closed
 * port, then closes the transports and does NOT call process.exit: the process must end by
 * itself, which it only does when every socket, server and timer has been released. Prints
 * `{"closed":true}`.
 */
import { asNodeId } from '@poolnet/protocol';
import { openPair, signalPipePair } from '@poolnet/engine/testing';
import { TcpTransport } from '../../src/index.js';

const made: TcpTransport[] = [];
const make = (connectTimeoutMs?: number): TcpTransport => {
  const t = new TcpTransport({ host: '127.0.0.1', connectTimeoutMs });
  made.push(t);
  return t;
};
for (let i = 0; i < 2; i++) {
  const { a, b } = await openPair({ make: () => make() });
  const got = new Promise<void>((resolve) => b.onMessage(() => resolve()));
  a.send('bulk', new Uint8Array(100_000));
  await got;
  if (i === 0) a.close();
}
const [pipe] = signalPipePair();
const aborted = new AbortController();
const opening = make().open(asNodeId('nobody'), 'initiator', pipe, { signal: aborted.signal });
setTimeout(() => aborted.abort(), 50);
await opening.catch(() => undefined);
await make(300)
  .open(asNodeId('nobody'), 'initiator', signalPipePair()[0])
  .catch(() => undefined);
for (const t of made) t.close();
console.log(JSON.stringify({ closed: true }));
