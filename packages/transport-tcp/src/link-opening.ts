import type { TLSSocket } from 'node:tls';
import { LinkError, type Cancel, type LinkRole, type SignalPipe } from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import type { TcpCandidate } from './candidates.js';
import { Connection } from './connection.js';
import { TcpError } from './errors.js';
import { helloPayload, Tag } from './frame-codec.js';
import type { TransportSettings } from './options.js';
import { peerFingerprint } from './pinned-tls.js';
import { decodeSignal, encodeSignal, newSessionId, type TcpSignal } from './signal-codec.js';
import { TcpLink } from './tcp-link.js';

/** What this end offers the far end: where it listens, its certificate, its frame limit. */
export interface LocalOffer {
  readonly candidates: readonly TcpCandidate[];
  readonly fingerprint: string;
  readonly maxMessageBytes: number;
}

/** What an opening needs from its transport. */
export interface OpeningHost {
  readonly settings: TransportSettings;
  /** Start a TLS connection to one candidate, with this device's certificate. */
  dial(candidate: TcpCandidate): TLSSocket;
  /** Route accepted connections that say `session` to `opening`; false if it is taken. */
  claim(session: string, opening: LinkOpening): boolean;
  release(session: string, opening: LinkOpening): void;
}

/** Blobs held until the local candidates are known; a flood beyond is refused. */
const MAX_EARLY_SIGNALS = 16;
/** Accepted connections waiting for the far end's fingerprint, at most. */
const MAX_HELD_CONNECTIONS = 8;

/**
 * One attempt to open a link, from `open` until a link or a `LinkError`:
 *
 * 1. The initiator sends an offer (session id, certificate fingerprint, frame limit,
 *    candidates); the responder answers with its own. Both sides pin the fingerprint they got.
 * 2. Each side dials every candidate of the other, and accepts connections that say the
 *    session (a HELLO frame). A connection is authenticated when the far end's certificate has
 *    the pinned fingerprint; any other is refused (`FINGERPRINT_MISMATCH`).
 * 3. The initiator takes the first authenticated connection, whichever side dialled it, and
 *    says so on it (NOMINATE); the responder takes the connection NOMINATE arrives on. Every
 *    other connection is closed, so both ends agree on one socket without a tie-break race.
 *
 * It fails with `OPEN_FAILED` on a bad signal (`BAD_SIGNAL`), on the timeout, or as soon as
 * both ends said (`fail` signal) that none of the other's candidates answered.
 */
export class LinkOpening {
  /** The outcome; rejects with a `LinkError` only. */
  readonly link: Promise<TcpLink>;
  private resolveLink!: (link: TcpLink) => void;
  private rejectLink!: (error: LinkError) => void;
  private settled = false;
  private session: string | undefined;
  private local: LocalOffer | undefined;
  private remote: { readonly fingerprint: string; readonly maxMessageBytes: number } | undefined;
  private readonly early: Uint8Array[] = [];
  private readonly connections = new Set<Connection>();
  private dialsStarted = false;
  private liveDials = 0;
  private saidFail = false;
  private heardFail = false;
  /** The most telling reason a connection failed: a fingerprint mismatch beats the rest. */
  private failure: Error | undefined;
  private unsubscribe: () => void = () => {};
  private readonly cancelTimer: Cancel;
  private readonly onAbort = (): void => {
    const reason: unknown = this.cancel.reason;
    this.abandon(reason instanceof LinkError ? reason : new LinkError('ABORTED', 'open aborted'));
  };

  constructor(
    private readonly peer: NodeId,
    private readonly role: LinkRole,
    private readonly signals: SignalPipe,
    private readonly host: OpeningHost,
    /** Aborting rejects with the reason if it is a `LinkError`, else with `ABORTED`. */
    private readonly cancel: AbortSignal,
  ) {
    this.link = new Promise<TcpLink>((resolve, reject) => {
      this.resolveLink = resolve;
      this.rejectLink = reject;
    });
    const { clock, connectTimeoutMs } = host.settings;
    this.cancelTimer = clock.setTimeout(() => this.timedOut(), connectTimeoutMs);
    cancel.addEventListener('abort', this.onAbort, { once: true });
    // Subscribe now, not after listening: a relay drops blobs nobody listens to yet.
    this.unsubscribe = signals.onSignal((payload) => this.onSignal(payload));
    if (this.settled) this.unsubscribe();
    if (cancel.aborted) this.onAbort();
  }

  /** The transport listens and knows its candidates: offer them (initiator) or wait. */
  start(local: LocalOffer): void {
    if (this.settled) return;
    this.local = local;
    if (this.role === 'initiator') {
      const session = newSessionId();
      if (!this.host.claim(session, this)) return this.badSignal('session id taken');
      this.session = session;
      this.sendSignal({ t: 'offer', s: session, ...this.offerFields(local) });
    }
    for (const payload of this.early.splice(0)) if (!this.settled) this.handle(payload);
  }

  /** An accepted connection that said our session. */
  incoming(connection: Connection): void {
    const held = [...this.connections].filter((c) => !c.dialled && !c.authenticated).length;
    if (this.settled || held >= MAX_HELD_CONNECTIONS) return connection.destroy();
    this.connections.add(connection);
    connection.onFrame = () =>
      connection.destroy(new TcpError('BAD_FRAME', 'a frame before the link was nominated'));
    connection.onEnd = (error) => {
      this.connections.delete(connection);
      if (error instanceof TcpError) this.record(error);
      this.checkExhausted();
    };
    if (this.remote) this.verify(connection);
  }

  /** Give up with `error` (idempotent): every connection is closed. */
  abandon(error: LinkError): void {
    if (this.settled) return;
    this.settle();
    for (const connection of this.connections) this.discard(connection);
    this.connections.clear();
    this.rejectLink(error);
  }

  private onSignal(payload: Uint8Array): void {
    if (this.settled) return;
    if (this.local) return this.handle(payload);
    if (this.early.length >= MAX_EARLY_SIGNALS) return this.badSignal('too many signals');
    this.early.push(payload);
  }

  private handle(payload: Uint8Array): void {
    let signal: TcpSignal;
    try {
      signal = decodeSignal(payload);
    } catch (cause) {
      return this.abandon(new LinkError('OPEN_FAILED', `bad signal from ${this.peer}`, { cause }));
    }
    if (signal.t === 'fail') {
      if (signal.s !== this.session) return;
      this.heardFail = true;
      return this.checkExhausted();
    }
    if (this.role === 'initiator') {
      if (signal.s !== this.session) return; // Stale: an earlier attempt's.
      if (signal.t === 'offer') return this.badSignal('an offer sent to the initiator');
      if (this.remote) return; // A repeat.
      return this.learn(signal);
    }
    if (signal.t === 'answer') return this.badSignal('an answer sent to the responder');
    if (this.session !== undefined) return; // A repeat, or another attempt: the first wins.
    if (!this.host.claim(signal.s, this)) return this.badSignal('session id taken');
    this.session = signal.s;
    this.sendSignal({ t: 'answer', s: signal.s, ...this.offerFields(this.local!) });
    if (!this.settled) this.learn(signal);
  }

  /** The far end's offer or answer: pin it, check held connections, dial its candidates. */
  private learn(signal: Extract<TcpSignal, { fp: string }>): void {
    this.remote = { fingerprint: signal.fp, maxMessageBytes: signal.m };
    for (const connection of [...this.connections]) {
      if (this.settled) return;
      if (!connection.authenticated) this.verify(connection);
    }
    if (this.settled) return;
    this.dialsStarted = true;
    for (const candidate of signal.c) this.dial(candidate);
    if (this.liveDials === 0) this.dialsExhausted();
  }

  private dial(candidate: TcpCandidate): void {
    let socket: TLSSocket;
    try {
      socket = this.host.dial(candidate);
    } catch (cause) {
      return this.record(new TcpError('UNREACHABLE', `cannot dial ${candidate.host}`, { cause }));
    }
    const label = `dialled ${candidate.host}:${candidate.port}`;
    const connection = new Connection(socket, true, label, this.host.settings.maxMessageBytes);
    this.connections.add(connection);
    this.liveDials++;
    connection.onFrame = () =>
      connection.destroy(new TcpError('BAD_FRAME', 'a frame before our hello'));
    connection.onEnd = (error) => {
      this.connections.delete(connection);
      this.liveDials--;
      if (!connection.authenticated) {
        this.record(error ?? new TcpError('UNREACHABLE', `${label} closed`));
      }
      if (this.liveDials === 0) this.dialsExhausted();
      this.checkExhausted();
    };
    // A candidate that drops our SYN would hold the dial for minutes: give up on it like on a
    // refusal, so that the `fail` exchange can end the attempt early.
    socket.setTimeout(this.host.settings.handshakeTimeoutMs, () =>
      connection.destroy(new TcpError('UNREACHABLE', `${label}: no TLS handshake in time`)),
    );
    socket.once('secureConnect', () => {
      if (this.settled || connection.isClosed) return;
      socket.setTimeout(0);
      connection.peerFingerprint = peerFingerprint(socket);
      if (connection.peerFingerprint !== this.remote!.fingerprint) return this.refuse(connection);
      connection.write(Tag.HELLO, helloPayload(this.session!));
      this.authenticate(connection);
    });
  }

  /** An accepted connection, once the far end's fingerprint is known. */
  private verify(connection: Connection): void {
    if (connection.peerFingerprint !== this.remote!.fingerprint) return this.refuse(connection);
    this.authenticate(connection);
  }

  private refuse(connection: Connection): void {
    const got = connection.peerFingerprint ?? 'none';
    const error = new TcpError(
      'FINGERPRINT_MISMATCH',
      `${connection.label}: certificate ${got} is not the pinned ${this.remote!.fingerprint}`,
    );
    this.record(error);
    connection.destroy(error);
  }

  private authenticate(connection: Connection): void {
    connection.authenticated = true;
    if (this.role === 'initiator') {
      connection.write(Tag.NOMINATE);
      return this.finish(connection);
    }
    connection.onFrame = (tag) => {
      if (tag === Tag.NOMINATE) this.finish(connection);
      else if (tag !== Tag.BEAT) {
        connection.destroy(new TcpError('BAD_FRAME', `frame tag ${tag} before nomination`));
      }
    };
  }

  private finish(winner: Connection): void {
    if (this.settled) return;
    this.settle();
    for (const connection of this.connections) if (connection !== winner) this.discard(connection);
    this.connections.clear();
    const maxMessageBytes = Math.min(this.local!.maxMessageBytes, this.remote!.maxMessageBytes);
    this.resolveLink(new TcpLink(this.peer, winner, maxMessageBytes, this.host.settings));
  }

  /** All our dials failed: tell the far end, so that both can give up early. */
  private dialsExhausted(): void {
    if (this.settled || this.saidFail || !this.dialsStarted || this.liveDials > 0) return;
    this.saidFail = true;
    this.sendSignal({ t: 'fail', s: this.session! });
    this.checkExhausted();
  }

  private checkExhausted(): void {
    if (this.settled || !this.saidFail || !this.heardFail) return;
    if ([...this.connections].some((c) => !c.isClosed)) return;
    const cause = new TcpError('UNREACHABLE', 'no candidate answered, either way', {
      cause: this.failure,
    });
    this.abandon(new LinkError('OPEN_FAILED', `cannot reach ${this.peer} over TCP`, { cause }));
  }

  private timedOut(): void {
    const { connectTimeoutMs } = this.host.settings;
    const cause =
      this.failure ??
      new TcpError('UNREACHABLE', this.remote ? 'no candidate answered' : 'no answer');
    this.abandon(
      new LinkError('OPEN_FAILED', `no link to ${this.peer} within ${connectTimeoutMs} ms`, {
        cause,
      }),
    );
  }

  private badSignal(message: string): void {
    const cause = new TcpError('BAD_SIGNAL', message);
    this.abandon(new LinkError('OPEN_FAILED', `bad signal from ${this.peer}`, { cause }));
  }

  private sendSignal(signal: TcpSignal): void {
    try {
      this.signals.send(encodeSignal(signal));
    } catch (cause) {
      this.abandon(new LinkError('OPEN_FAILED', 'could not send a signal', { cause }));
    }
  }

  private offerFields(local: LocalOffer): Omit<Extract<TcpSignal, { fp: string }>, 't' | 's'> {
    return { fp: local.fingerprint, m: local.maxMessageBytes, c: local.candidates };
  }

  private record(error: Error): void {
    const mismatch = (e: Error | undefined): boolean =>
      e instanceof TcpError && e.code === 'FINGERPRINT_MISMATCH';
    if (!mismatch(this.failure) || mismatch(error)) this.failure = error;
  }

  private discard(connection: Connection): void {
    connection.onFrame = () => {};
    connection.onEnd = () => {};
    connection.destroy();
  }

  private settle(): void {
    this.settled = true;
    this.unsubscribe();
    this.cancelTimer();
    this.cancel.removeEventListener('abort', this.onAbort);
    if (this.session !== undefined) this.host.release(this.session, this);
  }
}
