/**
 * One pool on this device: its signalling session, its engine node, its transports and
 * its message log in SQLite. The engine node is made at the first placement and kept across
 * signalling reconnects (its links may well outlive a server restart); it is made anew only
 * when the server hands out a certificate for another key or authority.
 */
import {
  type Clock,
  type DeviceIdentity,
  type FileHolder,
  type MessageStore,
  type PageQuery,
  type PeerLink,
  type StoredMessage,
  FileTransfer,
  PoolNode,
  cryptoRandom,
  systemClock,
} from '@poolnet/engine';
import { nodeCrypto } from '@poolnet/platform-node';
import {
  type DeviceCertificate,
  type MessageId,
  type NodeId,
  type PoolId,
  type PoolMessage,
  asNodeId,
  asUserId,
  decodePoolMessage,
  decodeSignedPoolMessage,
} from '@poolnet/protocol';
import { type DeviceDatabase, SqliteMessageStore } from '@poolnet/store-sqlite';
import { SelectingTransport } from '@poolnet/transport-select';
import { TcpTransport, type TcpTransportOptions } from '@poolnet/transport-tcp';
import {
  type NodeWebRtcTransportOptions,
  type SelectedRoute,
  WebRtcTransport,
} from '@poolnet/transport-webrtc';
import type { SigningKey } from './account.js';
import { DaemonError } from './errors.js';
import type { PoolFiles } from './pool-files.js';
import { PoolSignalling, type SessionStart } from './pool-signalling.js';
import type { ServerApi } from './server-api.js';

/** A message as the local API shows it (API.md `Message`). */
export interface MessageView {
  readonly id: string;
  readonly pool: string;
  readonly author: string;
  readonly userId: string;
  readonly authorName: string | null;
  readonly createdAt: number;
  readonly kind: string;
  readonly text: string;
  readonly mine: boolean;
  /** The file ids an offer or a withdrawal names (so the UI can show them in the chat). */
  readonly files?: readonly string[];
}

export interface PoolRuntimeOptions {
  readonly poolId: PoolId;
  readonly api: ServerApi;
  readonly db: DeviceDatabase;
  readonly device: { readonly deviceId: string; readonly userId: string; readonly name: string };
  readonly signingKey: SigningKey;
  readonly webrtc: NodeWebRtcTransportOptions;
  /**
   * Direct TCP + TLS links to other native devices, preferred to WebRTC when both come up
   * (false: WebRTC only). Browser nodes and devices without TCP fall back to WebRTC.
   */
  readonly tcp: TcpTransportOptions | false;
  /** Fault injection for end-to-end tests: serve every chunk with a byte flipped. */
  readonly corruptServedChunks?: boolean;
  /** The pool's files (offers, shares, downloads, relay cache). */
  readonly files?: PoolFiles;
  /** Display names of users, as last read from the server. */
  displayName(userId: string): string | null;
  /** Users came online in the pool. */
  onMembers(userIds: readonly string[]): void;
  /** Registers the signing key when the server says it has none. */
  ensureSigningKey(): Promise<void>;
  onMessage(message: MessageView): void;
  onPlaced(placed: boolean): void;
  /** `relayed`: a TURN relay carries the link (WebRTC only; undefined while unknown). */
  onLink(peer: string, up: boolean, transport: string, relayed?: boolean): void;
  onGone(reason: string): void;
  log(line: string): void;
  readonly clock?: Clock;
}

/** The message store of the pool; every message stored for the first time is announced. */
class AnnouncingStore implements MessageStore {
  constructor(
    private readonly inner: SqliteMessageStore,
    private readonly announce: (message: StoredMessage) => void,
  ) {}
  async append(message: StoredMessage): Promise<boolean> {
    const added = await this.inner.append(message);
    if (added) this.announce(message);
    return added;
  }
  has(id: MessageId) {
    return this.inner.has(id);
  }
  get(id: MessageId) {
    return this.inner.get(id);
  }
  page(query?: PageQuery) {
    return this.inner.page(query);
  }
  latest(limit: number, maxBytes: number) {
    return this.inner.latest(limit, maxBytes);
  }
  count() {
    return this.inner.count();
  }
}

export class PoolRuntime {
  readonly poolId: PoolId;
  private readonly store: AnnouncingStore;
  /** The pool's message log in SQLite (what the store announces from). */
  readonly log: SqliteMessageStore;
  private transfer: FileTransfer | undefined;
  readonly signalling: PoolSignalling;
  private node: PoolNode | undefined;
  private transport: SelectingTransport | undefined;
  private certificate: DeviceCertificate | undefined;
  private authorityKey: Uint8Array | undefined;
  private noSigningKey = false;

  constructor(private readonly options: PoolRuntimeOptions) {
    this.poolId = options.poolId;
    this.log = new SqliteMessageStore(options.db, options.poolId);
    this.store = new AnnouncingStore(this.log, (m) => {
      const message = decodeStored(m);
      if (message) options.files?.noteMessage(message);
      options.onMessage(this.view(m, message));
    });
    this.signalling = new PoolSignalling({
      api: options.api,
      poolId: options.poolId,
      device: { deviceId: options.device.deviceId, name: options.device.name },
      onSession: (start) => this.session(start),
      onPlaced: (placed) => options.onPlaced(placed),
      onGone: (reason) => options.onGone(reason),
      onNoSigningKey: () => (this.noSigningKey = true),
      onMembers: (userIds) => options.onMembers(userIds),
      beforeConnect: async () => {
        if (this.noSigningKey) {
          await options.ensureSigningKey();
          this.noSigningKey = false;
        }
      },
      log: options.log,
    });
  }

  start(): void {
    this.signalling.start();
  }

  stop(): void {
    this.signalling.stop();
    if (this.transfer) this.options.files?.detach(this.transfer);
    this.transfer?.stop();
    this.transfer = undefined;
    this.node?.stop();
    this.node = undefined;
    this.transport?.close();
    this.transport = undefined;
  }

  get placed(): boolean {
    return this.signalling.isPlaced;
  }

  get position(): { path: number[]; slot: number } | null {
    const position = this.node?.position;
    return position ? { path: [...position.path], slot: position.slot } : null;
  }

  /** Peers with an open link, the transport each uses, and whether a TURN relay carries it. */
  links(): Array<{ peer: string; transport: string; open: boolean; relayed?: boolean }> {
    return (this.node?.neighbours() ?? []).map((peer) => {
      const relayed = routeOf(this.transport?.carrierOf(asNodeId(peer)))?.relayed;
      return {
        peer,
        transport: this.transport?.kindOf(asNodeId(peer)) ?? 'unknown',
        open: true,
        ...(relayed === undefined ? {} : { relayed }),
      };
    });
  }

  /** Sends a chat text to the pool; the message is stored and announced like any other. */
  async sendText(text: string): Promise<MessageView> {
    const node = this.node;
    // Placed once is enough: while the server is away the links may still carry it, and what
    // they cannot carry now neighbours pull later (latest sync, reconciliation).
    if (!node || node.position === undefined) {
      throw new DaemonError('NOT_JOINED', 'not connected to this pool yet: try again shortly');
    }
    const id = node.sendText(text);
    const stored = await this.waitStored(id);
    return this.view(stored);
  }

  async page(
    query: PageQuery,
  ): Promise<{ messages: MessageView[]; hasOlder: boolean; hasNewer: boolean }> {
    const page = await this.store.page(query);
    return {
      messages: page.messages.map((m) => this.view(m)),
      hasOlder: page.hasOlder,
      hasNewer: page.hasNewer,
    };
  }

  async has(id: MessageId): Promise<boolean> {
    return this.store.has(id);
  }

  private async waitStored(id: MessageId): Promise<StoredMessage> {
    for (let i = 0; i < 100; i++) {
      const stored = await this.store.get(id);
      if (stored) return stored;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new DaemonError('INTERNAL', 'the message was sent but not stored');
  }

  /** A new signalling session: keep the node unless the certificate changed key or authority. */
  private session(start: SessionStart): void {
    const sameKey =
      this.certificate !== undefined &&
      this.authorityKey !== undefined &&
      Buffer.from(this.certificate.publicKey).equals(Buffer.from(start.cert.publicKey)) &&
      Buffer.from(this.authorityKey).equals(Buffer.from(start.authorityPublicKey));
    const expiresSoon =
      this.certificate !== undefined &&
      Number(this.certificate.expiresAtMs) - Date.now() < 86_400_000;
    if (this.node && sameKey && !expiresSoon) return;
    if (this.transfer) this.options.files?.detach(this.transfer);
    this.transfer?.stop();
    this.node?.stop();
    this.transport?.close();
    this.certificate = start.cert;
    this.authorityKey = start.authorityPublicKey;
    const { device, signingKey } = this.options;
    const identity: DeviceIdentity = {
      nodeId: asNodeId(device.deviceId),
      userId: asUserId(device.userId),
      secretKey: signingKey.secretKey,
      publicKey: signingKey.publicKey,
      certificate: start.cert,
    };
    const transport = new SelectingTransport([
      ...(this.options.tcp === false ? [] : [new TcpTransport(this.options.tcp)]),
      new WebRtcTransport(this.options.webrtc),
    ]);
    const node = new PoolNode({
      identity,
      authorityPublicKey: start.authorityPublicKey,
      transport,
      signalling: this.signalling,
      store: this.store,
      crypto: nodeCrypto(),
      clock: this.options.clock ?? systemClock,
      random: cryptoRandom,
      locate: (peer: NodeId) => this.signalling.locate(peer),
    });
    // A link's transport is the one carrying it now: it changes when TCP drops to WebRTC.
    const carriers = new Map<string, string>();
    // A WebRTC link's relayed flag comes from its selected candidate pair, read just after it
    // opened: when it is not known yet, the link is announced again once it is.
    const announce = (peer: NodeId, kind: string) => {
      const carrier = routeOf(transport.carrierOf(peer));
      this.options.onLink(peer, true, kind, carrier?.relayed);
      if (carrier === undefined || carrier.relayed !== undefined) return;
      void carrier.routeKnown.then((route) => {
        const still =
          this.transport === transport && routeOf(transport.carrierOf(peer)) === carrier;
        if (route !== undefined && still) this.options.onLink(peer, true, kind, route.relayed);
      });
    };
    node.onLink((peer, up) => {
      const kind = transport.kindOf(peer) ?? carriers.get(peer) ?? 'unknown';
      if (up) carriers.set(peer, kind);
      else carriers.delete(peer);
      if (up) announce(peer, kind);
      else this.options.onLink(peer, up, kind);
    });
    transport.onCarrierChange((peer, kind) => {
      carriers.set(peer, kind);
      announce(peer, kind);
    });
    this.node = node;
    this.transport = transport;
    node.start();
    const files = this.options.files;
    if (files) {
      this.transfer = new FileTransfer(node, {
        crypto: nodeCrypto(),
        clock: this.options.clock ?? systemClock,
        holder: this.options.corruptServedChunks ? corrupting(files) : files,
        cache: files,
        locate: (peer: NodeId) => this.signalling.locate(peer),
      });
      files.attach(node, this.transfer);
    }
  }

  /** `message`: the stored message decoded, when the caller has done it already. */
  private view(stored: StoredMessage, message = decodeStored(stored)): MessageView {
    const userId = message?.userId ?? '';
    const kind = message ? (message.content.case ?? 'unknown') : 'damaged';
    const text = message?.content.case === 'text' ? message.content.value.text : '';
    return {
      id: stored.id,
      pool: this.poolId,
      author: stored.author,
      userId,
      authorName: userId === '' ? null : this.options.displayName(userId),
      createdAt: stored.createdAt,
      kind,
      text,
      mine: stored.author === this.options.device.deviceId,
      ...offerFiles(message),
    };
  }
}

/** The file ids of an offer or a withdrawal, as `{ files }`; nothing for other messages. */
function offerFiles(message: PoolMessage | undefined): { files?: string[] } {
  const content = message?.content;
  if (content?.case === 'fileOffer') return { files: content.value.files.map((f) => f.fileId) };
  if (content?.case === 'mediaOffer' && content.value.file) {
    return { files: [content.value.file.fileId] };
  }
  if (content?.case === 'retractOffer') return { files: [content.value.fileId] };
  return {};
}

/** The pool message inside a stored signed message, or undefined when it is damaged. */
function decodeStored(stored: StoredMessage): PoolMessage | undefined {
  try {
    return decodePoolMessage(decodeSignedPoolMessage(stored.signed).body);
  } catch {
    return undefined;
  }
}

/**
 * Fault injection for the end-to-end tests (`corruptServedChunks`): a holder that serves
 * every data chunk with its first byte flipped, as a broken or hostile peer would.
 */
function corrupting(holder: FileHolder): FileHolder {
  return {
    holds: (fileId, index) => holder.holds(fileId, index),
    hashList: (fileId) => holder.hashList(fileId),
    read: async (fileId, index) => {
      const data = await holder.read(fileId, index);
      if (!data) return data;
      const bad = Uint8Array.from(data);
      bad[0] = (bad[0] ?? 0) ^ 0xff;
      return bad;
    },
  };
}

/** What a WebRTC carrier (`DataChannelLink`) tells about its route; TCP links have none. */
interface RoutedLink {
  readonly relayed: boolean | undefined;
  readonly routeKnown: Promise<SelectedRoute | undefined>;
}

/** The carrier as a `RoutedLink`, or undefined for TCP and other transports. */
function routeOf(link: PeerLink | undefined): RoutedLink | undefined {
  if (link === undefined || !('routeKnown' in link) || !('relayed' in link)) return undefined;
  return link as unknown as RoutedLink;
}
