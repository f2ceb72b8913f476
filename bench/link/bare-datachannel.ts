/**
 * The WebRTC floor: two node-datachannel `PeerConnection`s (its native API) with one reliable
 * ordered data channel, no engine framing, no pacing slices, no heartbeat channel. The sender
 * sends the same frames while the channel's `bufferedAmount()` is below the high-water mark
 * and resumes on `onBufferedAmountLow` (threshold: half the high-water mark). The SCTP receive
 * buffer is set as the WebRTC transport sets it (4 MiB), so only the transport's own work
 * differs.
 */
import { performance } from 'node:perf_hooks';
import nodeDataChannel, { type DataChannel, type PeerConnection } from 'node-datachannel';
import { FrameCounter, numberedFrame, type EndpointArgs, type ParentLines } from './lines.js';

const SCTP_RECEIVE_BUFFER = 4 * 1024 * 1024;

type BareSignal =
  | { readonly sdp: string; readonly type: string }
  | { readonly candidate: string; readonly mid: string };

/** A peer connection signalling through the parent; remote candidates wait for the description. */
function peer(lines: ParentLines, name: string): PeerConnection {
  nodeDataChannel.setSctpSettings({ recvBufferSize: SCTP_RECEIVE_BUFFER });
  const pc = new nodeDataChannel.PeerConnection(name, {
    iceServers: [],
    bindAddress: '127.0.0.1',
    maxMessageSize: 256 * 1024,
  });
  const send = (signal: BareSignal): void =>
    lines.signals.send(new TextEncoder().encode(JSON.stringify(signal)));
  pc.onLocalDescription((sdp, type) => send({ sdp, type }));
  pc.onLocalCandidate((candidate, mid) => send({ candidate, mid }));
  let described = false;
  const pending: Array<{ candidate: string; mid: string }> = [];
  lines.signals.onSignal((payload) => {
    const signal = JSON.parse(new TextDecoder().decode(payload)) as BareSignal;
    if ('sdp' in signal) {
      pc.setRemoteDescription(signal.sdp, signal.type as 'offer' | 'answer');
      described = true;
      for (const c of pending.splice(0)) pc.addRemoteCandidate(c.candidate, c.mid);
    } else if (described) {
      pc.addRemoteCandidate(signal.candidate, signal.mid);
    } else {
      pending.push(signal);
    }
  });
  return pc;
}

export async function bareReceiver(lines: ParentLines, args: EndpointArgs): Promise<void> {
  const pc = peer(lines, 'receiver');
  pc.onDataChannel((dc) => {
    const counter = new FrameCounter(args.sizeBytes, () =>
      dc.sendMessageBinary(new Uint8Array([1])),
    );
    dc.onMessage((message) => {
      if (typeof message === 'string') return;
      // A view, not a copy (a Buffer passed to `new Uint8Array` would be copied).
      counter.add(
        message instanceof ArrayBuffer
          ? new Uint8Array(message)
          : new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
      );
    });
  });
  lines.send({ ready: true });
}

export async function bareSender(lines: ParentLines, args: EndpointArgs): Promise<void> {
  await lines.next('go');
  const pc = peer(lines, 'sender');
  const t0 = performance.now();
  const dc: DataChannel = pc.createDataChannel('bulk');
  await new Promise<void>((resolve) => dc.onOpen(resolve));
  const connectMs = performance.now() - t0;
  const done = new Promise<void>((resolve) => dc.onMessage(() => resolve()));
  dc.setBufferedAmountLowThreshold(Math.floor(args.highWaterBytes / 2));
  let sent = 0;
  let seq = 0;
  const pump = (): void => {
    while (sent < args.sizeBytes && dc.bufferedAmount() < args.highWaterBytes) {
      const frame = numberedFrame(seq++, Math.min(args.frameBytes, args.sizeBytes - sent));
      dc.sendMessageBinary(frame);
      sent += frame.byteLength;
    }
  };
  const start = performance.now();
  dc.onBufferedAmountLow(pump);
  pump();
  await done;
  const ms = performance.now() - start;
  lines.send({ result: { ms, connectMs, kind: 'bare-datachannel' } });
  dc.close();
  pc.close();
  nodeDataChannel.cleanup();
}
