import type { AddressInfo } from 'node:net';
import type { Server, TLSSocket } from 'node:tls';
import {
  LinkError,
  type LinkRole,
  type OpenOptions,
  type SignalPipe,
  type Transport,
} from '@poolnet/engine';
import type { NodeId } from '@poolnet/protocol';
import { localCandidates, mergeCandidates, type TcpCandidate } from './candidates.js';
import { Connection } from './connection.js';
import { TcpError } from './errors.js';
import { readHello, Tag } from './frame-codec.js';
import { LinkOpening, type OpeningHost } from './link-opening.js';
import { resolveOptions, type TcpTransportOptions, type TransportSettings } from './options.js';
import { peerFingerprint, PinnedTls } from './pinned-tls.js';
import type { TcpLink } from './tcp-link.js';
import { createTlsIdentity, type TlsIdentity } from './tls-identity.js';

/**
 * Links over TCP + TLS, kind `'tcp'`, for native nodes. One listening socket serves every
 * link of the transport; `open` exchanges candidates and certificate fingerprints through the
 * signal pipe and races connections both ways (see `LinkOpening`). An accepted connection is
 * routed to its opening by the session id in its first frame (HELLO), within
 * `handshakeTimeoutMs`; one that says nothing known is closed.
 */
export class TcpTransport implements Transport {
  readonly kind = 'tcp';
  /** The options, checked, with defaults filled in. */
  readonly settings: TransportSettings;
  /** This device's key and certificate; peers pin `identity.fingerprint`. */
  readonly identity: TlsIdentity;
  private readonly tls: PinnedTls;
  private readonly server: Server;
  private listening: Promise<number> | undefined;
  private readonly links = new Set<TcpLink>();
  private readonly openings = new Map<LinkOpening, AbortController>();
  private readonly sessions = new Map<string, LinkOpening>();
  /** Accepted connections that have not said their session yet. */
  private readonly unrouted = new Set<Connection>();
  private readonly host: OpeningHost;
  private closed = false;

  /** Throws `TcpError('INVALID_OPTIONS')` for options that cannot work. */
  constructor(options: TcpTransportOptions = {}) {
    this.settings = resolveOptions(options);
    this.identity = options.identity ?? createTlsIdentity();
    this.tls = new PinnedTls(this.identity);
    this.server = this.tls.server(this.settings.handshakeTimeoutMs);
    this.server.on('secureConnection', (socket: TLSSocket) => this.accept(socket));
    // A client that fails the handshake: Node.js has destroyed its socket already.
    this.server.on('tlsClientError', () => {});
    this.server.on('error', () => {});
    this.host = {
      settings: this.settings,
      dial: (candidate) => this.tls.dial(candidate),
      claim: (session, opening) => {
        if (this.sessions.has(session)) return false;
        this.sessions.set(session, opening);
        return true;
      },
      release: (session, opening) => {
        if (this.sessions.get(session) === opening) this.sessions.delete(session);
      },
    };
  }

  /**
   * Start listening (once; `open` does it too) and resolve with the bound port. Rejects with
   * `TcpError('LISTEN_FAILED')`; a later call tries again.
   */
  listen(): Promise<number> {
    if (this.closed) return Promise.reject(new TcpError('LISTEN_FAILED', 'transport closed'));
    this.listening ??= new Promise<number>((resolve, reject) => {
      const { host, port } = this.settings;
      const onError = (cause: Error): void => {
        this.listening = undefined;
        reject(new TcpError('LISTEN_FAILED', `cannot listen on ${host}:${port}`, { cause }));
      };
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        const { port: bound } = this.server.address() as AddressInfo;
        // Closed while binding: close() found nothing listening yet.
        if (this.closed) this.server.close();
        resolve(bound);
      });
    });
    return this.listening;
  }

  /** The candidates an `open` would advertise now (listening first if needed). */
  async candidates(): Promise<TcpCandidate[]> {
    const port = await this.listen();
    let extra: readonly TcpCandidate[] = [];
    try {
      extra = (await this.settings.extraCandidates?.(port)) ?? [];
    } catch {
      // A failing hook only costs its candidates: the local ones may well do.
    }
    return mergeCandidates(localCandidates(this.settings.host, port), extra);
  }

  async open(
    peer: NodeId,
    role: LinkRole,
    signals: SignalPipe,
    options?: OpenOptions,
  ): Promise<TcpLink> {
    if (this.closed) throw new LinkError('OPEN_FAILED', 'transport closed');
    const userSignal = options?.signal;
    if (userSignal?.aborted) throw new LinkError('ABORTED', 'open aborted');
    const cancel = new AbortController();
    const onUserAbort = (): void => cancel.abort(new LinkError('ABORTED', 'open aborted'));
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    const opening = new LinkOpening(peer, role, signals, this.host, cancel.signal);
    this.openings.set(opening, cancel);
    this.candidates().then(
      (candidates) =>
        opening.start({
          candidates,
          fingerprint: this.identity.fingerprint,
          maxMessageBytes: this.settings.maxMessageBytes,
        }),
      (cause: unknown) =>
        opening.abandon(new LinkError('OPEN_FAILED', 'cannot listen for TCP links', { cause })),
    );
    try {
      const link = await opening.link;
      if (this.closed) {
        link.close();
        throw new LinkError('OPEN_FAILED', 'transport closed');
      }
      this.links.add(link);
      link.onClose(() => this.links.delete(link));
      return link;
    } finally {
      this.openings.delete(opening);
      userSignal?.removeEventListener('abort', onUserAbort);
    }
  }

  /** Fail every open in progress, close every link and stop listening. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.openings.values()) {
      cancel.abort(new LinkError('OPEN_FAILED', 'transport closed'));
    }
    for (const link of [...this.links]) link.close();
    for (const connection of [...this.unrouted]) connection.destroy();
    if (this.server.listening) this.server.close();
  }

  private accept(socket: TLSSocket): void {
    const { settings } = this;
    if (this.closed || this.unrouted.size >= settings.maxPendingConnections) {
      socket.destroy();
      return;
    }
    const label = `accepted from ${socket.remoteAddress}:${socket.remotePort}`;
    const connection = new Connection(socket, false, label, settings.maxMessageBytes);
    connection.peerFingerprint = peerFingerprint(socket);
    if (connection.peerFingerprint === undefined) return connection.destroy();
    socket.setNoDelay(true); // See PinnedTls.dial.
    this.unrouted.add(connection);
    const cancelTimer = settings.clock.setTimeout(
      () => connection.destroy(new TcpError('BAD_FRAME', 'no hello in time')),
      settings.handshakeTimeoutMs,
    );
    const routed = (): void => {
      cancelTimer();
      this.unrouted.delete(connection);
    };
    connection.onEnd = routed;
    connection.onFrame = (tag, payload) => {
      routed();
      const session = tag === Tag.HELLO ? readHello(payload) : undefined;
      const opening = session === undefined ? undefined : this.sessions.get(session);
      if (!opening) return connection.destroy(new TcpError('BAD_FRAME', 'no such session'));
      opening.incoming(connection);
    };
  }
}
