/**
 * The receiving end of the raw TCP copy (a child process of bench:transfer): listens on
 * 127.0.0.1, writes the one connection it gets to OUT, and says on stdout when the file is
 * closed. Lines on stdout are JSON: `{"port"}`, then `{"done", "bytes"}`.
 */
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { pipeline } from 'node:stream/promises';

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write('usage: tcp-receiver.ts OUT\n');
  process.exit(2);
}

const server = createServer((socket) => {
  server.close();
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  pipeline(socket, createWriteStream(out)).then(
    () => {
      process.stdout.write(`${JSON.stringify({ done: true, bytes })}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`receive failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
