import {
  LinkError,
  type Channel,
  type Clock,
  type LinkRole,
  type SignalPipe,
} from '@poolnet/engine';
import { decodeSignal, encodeSignal, newSessionId, type Signal } from './signal-codec.js';
import { closeQuietly, messageBytes, type RtcDataChannel, type RtcPeerConnection } from './rtc.js';

/**
 * The data channels of a link, all reliable and ordered: the engine's two, plus `heartbeat`
 * for liveness beats (see `heartbeat.ts`), so beats never mix with the engine's frames.
 */
export const CHANNEL_LABELS = ['control', 'bulk', 'heartbeat'] as const;
export type ChannelLabel = (typeof CHANNEL_LABELS)[number];

/** A negotiated connection: its open channels and frames that arrived before the link existed. */
export interface Negotiated {
  readonly channels: Readonly<Record<ChannelLabel, RtcDataChannel>>;
  readonly early: ReadonlyArray<readonly [Uint8Array, Channel]>;
}

export interface NegotiationOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Aborting rejects with the reason if it is a `LinkError`, else with `ABORTED`. */
  readonly cancel: AbortSignal;
}

/** Remote candidates held until the remote description is set; more are dropped. */
const MAX_PENDING_CANDIDATES = 64;

/**
 * Bring `pc` up as one link: SDP offer/answer and trickled ICE candidates through `signals`,
 * until all channels are open on this side. The initiator creates the channels in band (the
 * responder receives them through `ondatachannel`), so no stream ids are agreed out of band and
 * the responder creates nothing before the offer arrives: libdatachannel renegotiates on its
 * own when a channel is created, which would make the responder send an offer too.
 *
 * Each end holds back its own candidates until it has the remote description. Otherwise the
 * responder's checks reach the initiator before its answer does, the responder's ICE connects
 * first, and its DTLS ClientHello is dropped by the initiator (no remote description yet):
 * libdatachannel then waits out a 1 s DTLS retransmission (measured: ~1 s per connect, ~60 ms
 * after this change).
 *
 * Blobs that do not decode are ignored; an SDP the WebRTC stack refuses fails the attempt with
 * `OPEN_FAILED` (the far end is broken, waiting cannot help); a refused candidate is ignored
 * (say an mDNS name the stack cannot resolve). On failure every channel and `pc` are closed.
 */
export function negotiate(
  pc: RtcPeerConnection,
  role: LinkRole,
  signals: SignalPipe,
  options: NegotiationOptions,
): Promise<Negotiated> {
  return new Promise<Negotiated>((resolve, reject) => {
    let session = role === 'initiator' ? newSessionId() : undefined;
    const channels = new Map<ChannelLabel, RtcDataChannel>();
    const early: Array<readonly [Uint8Array, Channel]> = [];
    const pendingIce: Array<Extract<Signal, { t: 'ice' }>> = [];
    const heldIce: Array<Extract<Signal, { t: 'ice' }>> = [];
    let remoteSet = false;
    let settled = false;
    let chain = Promise.resolve();
    let unsubscribe = (): void => {};
    let cancelTimer = (): void => {};

    const finish = (error?: LinkError): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      cancelTimer();
      options.cancel.removeEventListener('abort', onAbort);
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      if (error) {
        pc.ondatachannel = null;
        for (const dc of channels.values()) closeQuietly(dc);
        pc.close();
        reject(error);
        return;
      }
      // The peer has no business opening more channels.
      pc.ondatachannel = (event) => event.channel.close();
      const [control, bulk, heartbeat] = CHANNEL_LABELS.map((label) => channels.get(label)!);
      resolve({ channels: { control: control!, bulk: bulk!, heartbeat: heartbeat! }, early });
    };
    const fail = (message: string, cause?: unknown): void =>
      finish(new LinkError('OPEN_FAILED', message, { cause }));
    const onAbort = (): void => {
      const reason: unknown = options.cancel.reason;
      finish(reason instanceof LinkError ? reason : new LinkError('ABORTED', 'open aborted'));
    };

    const send = (signal: Signal): void => {
      const bytes = encodeSignal(signal);
      if (!bytes) return fail(`signal ${signal.t} exceeds the signal payload limit`);
      try {
        signals.send(bytes);
      } catch (cause) {
        fail('the signal pipe refused a blob', cause);
      }
    };

    const opened = (): void => {
      if (channels.size < CHANNEL_LABELS.length) return;
      for (const dc of channels.values()) if (dc.readyState !== 'open') return;
      finish();
    };

    const track = (dc: RtcDataChannel): void => {
      const label = dc.label as ChannelLabel;
      if (settled || !CHANNEL_LABELS.includes(label) || channels.has(label)) return dc.close();
      channels.set(label, dc);
      dc.binaryType = 'arraybuffer';
      dc.onmessage = (event) => {
        const bytes = messageBytes(event.data);
        if (bytes && label !== 'heartbeat') early.push([bytes, label]);
      };
      dc.onclose = () => fail(`channel ${label} closed while opening`);
      if (dc.readyState === 'open') opened();
      else dc.onopen = opened;
    };

    const addCandidate = (ice: Extract<Signal, { t: 'ice' }>): Promise<void> =>
      pc
        .addIceCandidate({ candidate: ice.c.replace(/^a=/, ''), sdpMid: ice.m })
        .catch(() => undefined);

    const apply = async (signal: Signal): Promise<void> => {
      if (signal.t === 'ice') {
        if (session !== undefined && signal.s !== session) return;
        if (session === undefined || !remoteSet) {
          if (pendingIce.length < MAX_PENDING_CANDIDATES) pendingIce.push(signal);
          return;
        }
        return addCandidate(signal);
      }
      if (role === 'initiator') {
        if (signal.t !== 'answer' || signal.s !== session || remoteSet) return;
        await pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
      } else {
        if (signal.t !== 'offer' || session !== undefined) return;
        session = signal.s;
        await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        if (answer.sdp === undefined) throw new Error('empty answer');
        send({ t: 'answer', s: session, sdp: answer.sdp });
      }
      remoteSet = true;
      for (const ice of heldIce.splice(0)) send(ice);
      for (const ice of pendingIce.splice(0)) if (ice.s === session) await addCandidate(ice);
    };
    const enqueue = (step: () => Promise<void>): void => {
      chain = chain
        .then(() => (settled ? undefined : step()))
        .catch((cause: unknown) => fail('the WebRTC stack refused the session', cause));
    };

    if (options.cancel.aborted) return onAbort();
    options.cancel.addEventListener('abort', onAbort, { once: true });
    cancelTimer = options.clock.setTimeout(
      () => fail(`no link within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    pc.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (!candidate?.candidate || session === undefined || settled) return;
      const c = candidate.candidate.replace(/^a=/, '');
      const ice = { t: 'ice', s: session, c, m: candidate.sdpMid ?? '0' } as const;
      if (remoteSet) send(ice);
      else heldIce.push(ice);
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'failed' || state === 'closed') fail(`connection ${state} while opening`);
    };
    pc.ondatachannel = (event) => track(event.channel);

    if (role === 'initiator') {
      try {
        for (const label of CHANNEL_LABELS) track(pc.createDataChannel(label, { ordered: true }));
      } catch (cause) {
        return fail('could not create the data channels', cause);
      }
      enqueue(async () => {
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        if (offer.sdp === undefined) throw new Error('empty offer');
        send({ t: 'offer', s: session!, sdp: offer.sdp });
      });
    }
    unsubscribe = signals.onSignal((payload) => {
      const signal = decodeSignal(payload);
      if (signal && !settled) enqueue(() => apply(signal));
    });
    if (settled) unsubscribe();
  });
}
