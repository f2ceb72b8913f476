/**
 * Throughput probe (not a test): moves 256 MiB over one WebRTC link between two processes on
 * 127.0.0.1, in 64 KiB frames on `bulk`, pausing while the channel is above the link's
 * high-water mark and resuming on drain. Signalling goes over the child's stdin/stdout.
 * Time runs from the first frame sent to the receiver's "all received" control frame.
 * Prints one JSON line: {"transport":"webrtc","sizeBytes":…,"MBps":…,…}
 *
 *   node --import tsx packages/transport-webrtc/bench/throughput.ts [MiB]
 *
 * Tuning through the environment: FRAME, SLICE, LOW, HIGH (bytes).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { asNodeId } from '@poolnet/protocol';
import { WebRtcTransport, type NodeWebRtcTransportOptions } from '../src/index.js';
import { LineChannel } from '@poolnet/platform-node/testing';

const MiB = 1024 * 1024;
const env = (name: string): number | undefined =>
  process.env[name] ? Number(process.env[name]) : undefined;
const options: NodeWebRtcTransportOptions = {
  bindAddress: '127.0.0.1',
  sliceBytes: env('SLICE'),
  lowWaterMark: env('LOW'),
  highWaterMark: env('HIGH'),
};
const frameBytes = env('FRAME') ?? 64 * 1024;

if (process.argv[2] === '--receiver') await receive(Number(process.argv[3]));
else await sendAll(Number(process.argv[2] ?? 256) * MiB);

async function sendAll(sizeBytes: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--receiver', `${sizeBytes}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: process.env,
  });
  const lines = new LineChannel(child.stdout, child.stdin);
  const transport = new WebRtcTransport(options);
  await lines.next((message) => message.ready === true);
  const t0 = performance.now();
  const link = await transport.open(asNodeId('receiver'), 'initiator', lines.signals);
  const connectMs = performance.now() - t0;
  const done = new Promise<void>((resolve) =>
    link.onMessage((_frame, channel) => channel === 'control' && resolve()),
  );
  let sent = 0;
  let seq = 0;
  let peakBuffered = 0;
  const pump = (): void => {
    while (sent < sizeBytes) {
      const buffered = link.bufferedAmount('bulk');
      peakBuffered = Math.max(peakBuffered, buffered);
      if (buffered > link.highWaterMark) return;
      const frame = new Uint8Array(Math.min(frameBytes, sizeBytes - sent));
      new DataView(frame.buffer).setUint32(0, seq++);
      link.send('bulk', frame);
      sent += frame.byteLength;
    }
  };
  const start = performance.now();
  link.onDrain((channel) => channel === 'bulk' && pump());
  pump();
  await done;
  const ms = performance.now() - start;
  const result = {
    transport: 'webrtc',
    sizeBytes,
    MBps: Math.round((sizeBytes / 1e6 / (ms / 1000)) * 10) / 10,
    ms: Math.round(ms),
    connectMs: Math.round(connectMs),
    frameBytes,
    peakBuffered,
    sliceBytes: transport.settings.sliceBytes,
  };
  console.log(JSON.stringify(result));
  // Closing the link ends the receiver; kill it only if it lingers.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  transport.close();
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
  child.kill();
  process.exit(0);
}

async function receive(sizeBytes: number): Promise<void> {
  const lines = new LineChannel(process.stdin, process.stdout);
  const transport = new WebRtcTransport(options);
  const opening = transport.open(asNodeId('sender'), 'responder', lines.signals);
  lines.send({ ready: true });
  const link = await opening;
  let got = 0;
  let seq = 0;
  link.onMessage((frame) => {
    const n = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
    if (n !== seq++) {
      process.stderr.write(`out of order: ${n} != ${seq - 1}\n`);
      process.exit(2);
    }
    got += frame.byteLength;
    if (got >= sizeBytes) link.send('control', new Uint8Array([1]));
  });
  link.onClose(() => process.exit(0));
  process.stdin.on('end', () => process.exit(0));
}
