/**
 * A TCP peer in its own process, for tests: the responder of one link, signalling over
 * stdin/stdout (one JSON object per line, see LineChannel). It echoes control frames, hashes
 * bulk frames, and reports:
 *
 *   {"ready":true}                          listening, waiting for the offer
 *   {"open":true,"pid":123}                 the link is up
 *   {"bulkBytes":N,"sha256":"…"}            once N bulk bytes arrived (asked by {"expectBulk":N})
 *   {"closed":true}                         the link closed
 *
 *   node --import tsx peer-process.ts <heartbeatMs> <silenceTimeoutMs>
 */
import { createHash } from 'node:crypto';
import { asNodeId } from '@poolnet/protocol';
import { TcpTransport } from '../../src/index.js';
import { LineChannel } from '@poolnet/platform-node/testing';

const [heartbeatMs, silenceTimeoutMs] = process.argv.slice(2).map(Number);
const lines = new LineChannel(process.stdin, process.stdout);
const transport = new TcpTransport({ host: '127.0.0.1', heartbeatMs, silenceTimeoutMs });
let expected = Infinity;
let received = 0;
const hash = createHash('sha256');
lines.onMessage((message) => {
  if (typeof message.expectBulk === 'number') expected = message.expectBulk;
});
const opening = transport.open(asNodeId('parent'), 'responder', lines.signals);
lines.send({ ready: true });
const link = await opening;
link.onMessage((frame, channel) => {
  if (channel === 'control') return link.send('control', frame);
  hash.update(frame);
  received += frame.byteLength;
  if (received === expected) lines.send({ bulkBytes: received, sha256: hash.digest('hex') });
});
link.onClose(() => lines.send({ closed: true }));
lines.send({ open: true, pid: process.pid });
process.stdin.on('end', () => process.exit(0));
