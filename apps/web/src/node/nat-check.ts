/**
 * The browser node's NAT check (ADR 0010): one `RTCPeerConnection` with the sync server's two
 * STUN urls (nothing else: no TURN, no peer) gathers candidates for a data channel offer; its
 * srflx candidates and candidate errors, read by `natFromCandidates`, give the verdict the
 * daemon's UDP check gives. Waits for gathering to complete, at most `timeoutMs` (5 s: the
 * daemon waits 3 s for a silent server, and Chromium's own STUN timeout is far longer).
 */
import { classifyNat, failedNatCheck, stunTargets, stunUrl } from '@poolnet/device';
import type { Status } from '../api/backend.js';
import { type CandidateError, type SeenCandidate, natFromCandidates } from './ice-nat.js';

export type NatStatus = NonNullable<Status['nat']>;

export interface PageNatCheckOptions {
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** The peer connection to gather with (tests); the page's own by default. */
  readonly peerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

/** Newer browsers put the server's url on the candidate; older ones on the event. */
type WithUrl = { readonly url?: string | null };

/** Gather with the first two STUN urls of `iceServers` (as `/v1/ice` lists them) and classify. */
export async function checkNatInPage(
  iceServers: readonly unknown[],
  options: PageNatCheckOptions = {},
): Promise<NatStatus> {
  const now = options.now ?? Date.now;
  const targets = stunTargets(iceServers).slice(0, 2);
  if (targets.length === 0) {
    const verdict = classifyNat({ localPort: 0, localAddresses: [], answers: [] });
    return { ...verdict, checkedAt: now() };
  }
  let pc: RTCPeerConnection | undefined;
  try {
    const config: RTCConfiguration = { iceServers: [{ urls: targets.map(stunUrl) }] };
    pc = options.peerConnection?.(config) ?? new RTCPeerConnection(config);
    const gathered = await gather(pc, options.timeoutMs ?? 5000);
    return { ...natFromCandidates(targets, gathered), checkedAt: now() };
  } catch (err) {
    return { ...failedNatCheck(err), checkedAt: now() };
  } finally {
    pc?.close();
  }
}

/** Candidates and candidate errors until gathering completes or `timeoutMs` passes. */
async function gather(
  pc: RTCPeerConnection,
  timeoutMs: number,
): Promise<{ candidates: SeenCandidate[]; errors: CandidateError[]; complete: boolean }> {
  const candidates: SeenCandidate[] = [];
  const errors: CandidateError[] = [];
  let complete = false;
  let done = () => undefined as void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const timer = setTimeout(done, timeoutMs);
  pc.addEventListener('icecandidate', (event) => {
    const c = event.candidate;
    if (c === null) {
      complete = true;
      done();
      return;
    }
    candidates.push({
      type: c.type,
      protocol: c.protocol,
      address: c.address,
      port: c.port,
      relatedAddress: c.relatedAddress,
      relatedPort: c.relatedPort,
      url: (c as RTCIceCandidate & WithUrl).url || (event as Event & WithUrl).url || null,
    });
  });
  pc.addEventListener('icecandidateerror', (event) => {
    const e = event as RTCPeerConnectionIceErrorEvent;
    if (e.url) errors.push({ url: e.url, errorCode: e.errorCode });
  });
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState !== 'complete') return;
    complete = true;
    done();
  });
  try {
    pc.createDataChannel('nat-check');
    await pc.setLocalDescription(await pc.createOffer());
    await finished;
  } finally {
    clearTimeout(timer);
  }
  return { candidates, errors, complete };
}
