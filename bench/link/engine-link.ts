/**
 * One link of a real transport (TCP, WebRTC, or the selecting transport over both), as the
 * engine uses it: 64 KiB frames on `bulk`, the sender pausing while `bufferedAmount('bulk')`
 * is at or above the high-water mark and resuming on `onDrain` (the engine's file transfer
 * does the same with 2 MiB). The receiver answers on `control` once every byte arrived.
 */
import { performance } from 'node:perf_hooks';
import type { Transport } from '@poolnet/engine';
import { asNodeId } from '@poolnet/protocol';
import { SelectingTransport } from '@poolnet/transport-select';
import { TcpTransport } from '@poolnet/transport-tcp';
import { WebRtcTransport } from '@poolnet/transport-webrtc';
import { FrameCounter, numberedFrame, type EndpointArgs, type ParentLines } from './lines.js';

export type LinkMode = 'tcp' | 'webrtc' | 'auto';

function transportFor(mode: LinkMode): Transport {
  const tcp = (): Transport => new TcpTransport({ host: '127.0.0.1' });
  const webrtc = (): Transport => new WebRtcTransport({ bindAddress: '127.0.0.1' });
  if (mode === 'tcp') return tcp();
  if (mode === 'webrtc') return webrtc();
  return new SelectingTransport([tcp(), webrtc()]);
}

export async function linkReceiver(
  lines: ParentLines,
  args: EndpointArgs,
  mode: LinkMode,
): Promise<void> {
  const transport = transportFor(mode);
  const opening = transport.open(asNodeId('sender'), 'responder', lines.signals);
  lines.send({ ready: true });
  const link = await opening;
  const counter = new FrameCounter(args.sizeBytes, () => link.send('control', new Uint8Array([1])));
  link.onMessage((frame, channel) => channel === 'bulk' && counter.add(frame));
  link.onClose(() => process.exit(0));
}

export async function linkSender(
  lines: ParentLines,
  args: EndpointArgs,
  mode: LinkMode,
): Promise<void> {
  await lines.next('go');
  const transport = transportFor(mode);
  const t0 = performance.now();
  const link = await transport.open(asNodeId('receiver'), 'initiator', lines.signals);
  const connectMs = performance.now() - t0;
  const done = new Promise<void>((resolve) =>
    link.onMessage((_frame, channel) => channel === 'control' && resolve()),
  );
  let sent = 0;
  let seq = 0;
  const pump = (): void => {
    while (sent < args.sizeBytes && link.bufferedAmount('bulk') < args.highWaterBytes) {
      const frame = numberedFrame(seq++, Math.min(args.frameBytes, args.sizeBytes - sent));
      link.send('bulk', frame);
      sent += frame.byteLength;
    }
  };
  const start = performance.now();
  link.onDrain((channel) => channel === 'bulk' && pump());
  pump();
  await done;
  const ms = performance.now() - start;
  lines.send({ result: { ms, connectMs, kind: link.kind } });
  transport.close();
}
