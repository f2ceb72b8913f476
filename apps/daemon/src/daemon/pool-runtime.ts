/**
 * One pool on this device: its signalling session, its engine node, its transports and
 * its message log in SQLite. The engine node is made at the first placement and kept across
 * signalling reconnects (its links may well outlive a server restart); it is made anew only
 * when the server hands out a certificate for another key or authority.
 */
import { MessageLog, type MessageView, keepsNode } from '@poolnet/device';
import {
  type Clock,
  type DeviceIdentity,
  type FileHolder,
  type PageQuery,
  type PeerLink,
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
  asNodeId,
  asUserId,
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

export type { MessageView } from '@poolnet/device';

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

export class PoolRuntime {
  readonly poolId: PoolId;
  /** The log's store (announcing new messages) and the views of it. */
  private readonly messages: MessageLog;
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
    this.messages = new MessageLog(
      this.log,
      {
        pool: options.poolId,
        selfId: options.device.deviceId,
        displayName: (userId) => options.displayName(userId),
      },
      {
        noteMessage: (message) => options.files?.noteMessage(message),
        onMessage: (view) => options.onMessage(view),
      },
    );
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
    const view = await this.messages.sent(node.sendText(text));
    if (!view) throw new DaemonError('INTERNAL', 'the message was sent but not stored');
    return view;
  }

  page(
    query: PageQuery,
  ): Promise<{ messages: MessageView[]; hasOlder: boolean; hasNewer: boolean }> {
    return this.messages.page(query);
  }

  has(id: MessageId): Promise<boolean> {
    return this.messages.has(id);
  }

  /** A new signalling session: keep the node unless the certificate changed key or authority. */
  private session(start: SessionStart): void {
    const current =
      this.certificate && this.authorityKey
        ? { cert: this.certificate, authorityPublicKey: this.authorityKey }
        : undefined;
    if (this.node && keepsNode(current, start, Date.now())) return;
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
      store: this.messages.store,
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
