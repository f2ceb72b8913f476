/**
 * One pool in the page: its signalling session, its engine node on the page's
 * `RTCPeerConnection` (inside a selecting transport, as daemons expect), its message log in IndexedDB and its file transfer. Like the daemon's
 * runtime, the node is made at the first placement and kept across signalling reconnects; it
 * is made anew only when the server certifies another key or authority, or the certificate
 * is about to expire.
 */
import { MessageLog, keepsNode } from '@poolnet/device';
import {
  type DeviceIdentity,
  type MessageStore,
  type PageQuery,
  FileTransfer,
  PoolNode,
  cryptoRandom,
  nobleCrypto,
  systemClock,
} from '@poolnet/engine';
import {
  type DeviceCertificate,
  type MessageId,
  type NodeId,
  type PoolId,
  asNodeId,
  asUserId,
} from '@poolnet/protocol';
import { SelectingTransport } from '@poolnet/transport-select';
import { type IceServerSpec, WebRtcTransport } from '@poolnet/transport-webrtc';
import { BackendError, type Message } from '../api/backend.js';
import type { SigningKey } from './account.js';
import type { BrowserPoolFiles } from './pool-files.js';
import { PoolSignalling, type SessionStart } from './pool-signalling.js';
import type { ServerApi } from './server-api.js';

export interface PoolRuntimeOptions {
  readonly poolId: PoolId;
  readonly api: ServerApi;
  readonly log: MessageStore;
  readonly files: BrowserPoolFiles;
  readonly device: { readonly deviceId: string; readonly userId: string; readonly name: string };
  readonly signingKey: SigningKey;
  readonly iceServers: readonly IceServerSpec[];
  displayName(userId: string): string | null;
  onMembers(userIds: readonly string[]): void;
  ensureSigningKey(): Promise<void>;
  onMessage(message: Message): void;
  onPlaced(placed: boolean): void;
  onLink(peer: string, up: boolean, transport: string): void;
  onGone(reason: string): void;
  logLine(line: string): void;
}

export class PoolRuntime {
  readonly poolId: PoolId;
  /** The log's store (announcing new messages) and the views of it. */
  private readonly messages: MessageLog;
  readonly signalling: PoolSignalling;
  private node: PoolNode | undefined;
  private transfer: FileTransfer | undefined;
  private transport: SelectingTransport | undefined;
  private certificate: DeviceCertificate | undefined;
  private authorityKey: Uint8Array | undefined;
  private noSigningKey = false;

  constructor(private readonly options: PoolRuntimeOptions) {
    this.poolId = options.poolId;
    this.messages = new MessageLog(
      options.log,
      {
        pool: options.poolId,
        selfId: options.device.deviceId,
        displayName: (userId) => options.displayName(userId),
      },
      {
        noteMessage: (message) => options.files.noteMessage(message),
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
      log: options.logLine,
    });
  }

  start(): void {
    this.signalling.start();
  }

  stop(): void {
    this.signalling.stop();
    this.stopNode();
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
      // A WebRTC carrier (DataChannelLink) knows its selected candidate pair once connected.
      const carrier = this.transport?.carrierOf(peer) as { relayed?: unknown } | undefined;
      const relayed = typeof carrier?.relayed === 'boolean' ? carrier.relayed : undefined;
      return {
        peer,
        transport: this.transport?.kindOf(peer) ?? 'webrtc',
        open: true,
        ...(relayed === undefined ? {} : { relayed }),
      };
    });
  }

  async sendText(text: string): Promise<Message> {
    const node = this.node;
    if (!node || node.position === undefined) {
      throw new BackendError(
        'NOT_JOINED',
        'not connected to this pool yet: try again shortly',
        409,
      );
    }
    const view = await this.messages.sent(node.sendText(text));
    if (!view) throw new BackendError('INTERNAL', 'the message was sent but not stored');
    return view;
  }

  page(query: PageQuery): Promise<{ messages: Message[]; hasOlder: boolean; hasNewer: boolean }> {
    return this.messages.page(query);
  }

  has(id: MessageId): Promise<boolean> {
    return this.messages.has(id);
  }

  private stopNode(): void {
    if (this.transfer) this.options.files.detach(this.transfer);
    this.transfer?.stop();
    this.transfer = undefined;
    this.node?.stop();
    this.node = undefined;
    this.transport?.close();
    this.transport = undefined;
  }

  private session(start: SessionStart): void {
    const current =
      this.certificate && this.authorityKey
        ? { cert: this.certificate, authorityPublicKey: this.authorityKey }
        : undefined;
    if (this.node && keepsNode(current, start, Date.now())) return;
    this.stopNode();
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
    // Daemons tag every signalling blob for their selecting transport (TCP first, WebRTC):
    // the page speaks the same, offering WebRTC only.
    const transport = new SelectingTransport([
      new WebRtcTransport({ iceServers: this.options.iceServers }),
    ]);
    const node = new PoolNode({
      identity,
      authorityPublicKey: start.authorityPublicKey,
      transport,
      signalling: this.signalling,
      store: this.messages.store,
      crypto: nobleCrypto,
      clock: systemClock,
      random: cryptoRandom,
      locate: (peer: NodeId) => this.signalling.locate(peer),
    });
    node.onLink((peer, up) => this.options.onLink(peer, up, 'webrtc'));
    this.node = node;
    this.transport = transport;
    node.start();
    const files = this.options.files;
    this.transfer = new FileTransfer(node, {
      crypto: nobleCrypto,
      clock: systemClock,
      holder: files,
      cache: files,
      locate: (peer: NodeId) => this.signalling.locate(peer),
    });
    files.attach(node, this.transfer);
  }
}
