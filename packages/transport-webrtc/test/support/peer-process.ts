/**
 * A WebRTC peer in its own process, for tests: the responder of one link, signalling over
 * stdin/stdout (one JSON object per line, see LineChannel). It echoes every frame back on the
 * channel it came on and reports `{"open":true}` once the link is up.
 *
 *   node --import tsx peer-process.ts <heartbeatMs> <silenceTimeoutMs>
 */
import { asNodeId } from '@poolnet/protocol';
import { WebRtcTransport } from '../../src/index.js';
import { LineChannel } from '@poolnet/platform-node/testing';

const [heartbeatMs, silenceTimeoutMs] = process.argv.slice(2).map(Number);
const lines = new LineChannel(process.stdin, process.stdout);
const transport = new WebRtcTransport({ bindAddress: '127.0.0.1', heartbeatMs, silenceTimeoutMs });
const opening = transport.open(asNodeId('parent'), 'responder', lines.signals);
lines.send({ ready: true });
const link = await opening;
link.onMessage((frame, channel) => link.send(channel, frame));
link.onClose(() => lines.send({ closed: true }));
lines.send({ open: true, pid: process.pid });
process.stdin.on('end', () => process.exit(0));
