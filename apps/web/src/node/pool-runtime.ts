/**
 * One pool in the page: its signalling session, its engine node on the page's
 * `RTCPeerConnection` (inside a selecting transport, as daemons expect), its message log in IndexedDB and its file transfer. Like the daemon's
 * runtime, the node is made at the first placement and kept across signalling reconnects; it
 * is made anew only when the server certifies another key or authority, or the certificate
 * is about to expire.
 */
import {
  type DeviceIdentity,
  type MessageStore,
  type PageQuery,
  type StoredMessage,
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
  type PoolMessage,
  asNodeId,
  asUserId,
  decodePoolMessage,
  decodeSignedPoolMessage,
} from '@poolnet/protocol';
import { SelectingTransport } from '@poolnet/transport-select';
import { type IceServerSpec, WebRtcTransport } from '@poolnet/transport-webrtc';
import { BackendError, type Message } from '../api/backend.js';
import type { SigningKey } from './account.js';
import { AnnouncingStore } from './announcing-store.js';
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
  private readonly store: AnnouncingStore;
  readonly signalling: PoolSignalling;
  private node: PoolNode | undefined;
  private transfer: FileTransfer | undefined;
  private transport: SelectingTransport | undefined;
  private certificate: DeviceCertificate | undefined;
  private authorityKey: Uint8Array | undefined;
  private noSigningKey = false;

  constructor(private readonly options: PoolRuntimeOptions) {
    this.poolId = options.poolId;
    this.store = new AnnouncingStore(options.log, (m) => {
      const message = decodeStored(m);
      if (message) options.files.noteMessage(message);
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
    const id = node.sendText(text);
    for (let i = 0; i < 100; i++) {
      const stored = await this.store.get(id);
      if (stored) return this.view(stored);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new BackendError('INTERNAL', 'the message was sent but not stored');
  }

  async page(
    query: PageQuery,
  ): Promise<{ messages: Message[]; hasOlder: boolean; hasNewer: boolean }> {
    const page = await this.store.page(query);
    return {
      messages: page.messages.map((m) => this.view(m)),
      hasOlder: page.hasOlder,
      hasNewer: page.hasNewer,
    };
  }

  has(id: MessageId): Promise<boolean> {
    return this.store.has(id);
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
    const sameKey =
      this.certificate !== undefined &&
      this.authorityKey !== undefined &&
      sameBytes(this.certificate.publicKey, start.cert.publicKey) &&
      sameBytes(this.authorityKey, start.authorityPublicKey);
    const expiresSoon =
      this.certificate !== undefined &&
      Number(this.certificate.expiresAtMs) - Date.now() < 86_400_000;
    if (this.node && sameKey && !expiresSoon) return;
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
      store: this.store,
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

  private view(stored: StoredMessage, message = decodeStored(stored)): Message {
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

/** The file ids an offer or a withdrawal names (the UI shows them in the chat). */
function offerFiles(message: PoolMessage | undefined): { files?: string[] } {
  const content = message?.content;
  if (content?.case === 'fileOffer') return { files: content.value.files.map((f) => f.fileId) };
  if (content?.case === 'mediaOffer' && content.value.file)
    return { files: [content.value.file.fileId] };
  if (content?.case === 'retractOffer') return { files: [content.value.fileId] };
  return {};
}

export function decodeStored(stored: StoredMessage): PoolMessage | undefined {
  try {
    return decodePoolMessage(decodeSignedPoolMessage(stored.signed).body);
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
