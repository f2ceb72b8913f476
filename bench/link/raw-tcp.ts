/**
 * The reference: a plain `node:net` socket on 127.0.0.1 moving the same bytes in the same
 * frame size, the sender waiting for 'drain' whenever `write` says the socket is full. No
 * framing, no TLS: the floor under every transport here.
 */
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { numberedFrame, type EndpointArgs, type ParentLines } from './lines.js';

export async function rawTcpReceiver(lines: ParentLines, args: EndpointArgs): Promise<void> {
  const server = createServer((socket) => {
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      got += chunk.byteLength;
      if (got === args.sizeBytes) socket.write(new Uint8Array([1]));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lines.send({ port: (server.address() as { port: number }).port });
}

export async function rawTcpSender(lines: ParentLines, args: EndpointArgs): Promise<void> {
  const { port } = (await lines.next('port')) as { port: number };
  const t0 = performance.now();
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const connectMs = performance.now() - t0;
  const acked = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const start = performance.now();
  let sent = 0;
  let seq = 0;
  while (sent < args.sizeBytes) {
    const frame = numberedFrame(seq++, Math.min(args.frameBytes, args.sizeBytes - sent));
    sent += frame.byteLength;
    if (!socket.write(frame)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await acked;
  lines.send({ result: { ms: performance.now() - start, connectMs, kind: 'raw-tcp' } });
  socket.destroy();
}
