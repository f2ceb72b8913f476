import type { FileId, MessageId, NodeId } from '@poolnet/protocol';

/**
 * One pool message as stored: the signed bytes exactly as received (so it can be handed to
 * another node and verified there) plus the fields needed to order and page it.
 */
export interface StoredMessage {
  readonly id: MessageId;
  readonly author: NodeId;
  /** The sender's clock (ms), kept for display; never used for ordering. */
  readonly createdAt: number;
  /** Local arrival order, assigned by the store on insert. Pagination follows it. */
  readonly seq?: number;
  /** Encoded `SignedPoolMessage`. */
  readonly signed: Uint8Array;
}

export interface PageQuery {
  /** Messages strictly older (lower seq) than this id. */
  before?: MessageId;
  /** Messages strictly newer (higher seq) than this id. */
  after?: MessageId;
  /** At most this many (default 50). */
  limit?: number;
}

/** A page in ascending arrival order, with flags telling whether more exist on each side. */
export interface MessagePage {
  readonly messages: readonly StoredMessage[];
  readonly hasOlder: boolean;
  readonly hasNewer: boolean;
}

/**
 * The append-only message log of one pool on one device. Ordered by arrival, so a message
 * with a skewed sender clock can never be hidden in the past. Implementations: memory
 * (`store/memory-message-store.ts`), SQLite, IndexedDB. All pass the contract suite in
 * `testing/message-store-contract.ts`.
 */
export interface MessageStore {
  /** Insert; resolves false (and changes nothing) when the id is already stored. */
  append(message: StoredMessage): Promise<boolean>;
  has(id: MessageId): Promise<boolean>;
  get(id: MessageId): Promise<StoredMessage | undefined>;
  /** A page of history: the latest page when neither `before` nor `after` is given. */
  page(query?: PageQuery): Promise<MessagePage>;
  /** The newest messages whose encoded size adds up to at most `maxBytes`, oldest first. */
  latest(limit: number, maxBytes: number): Promise<StoredMessage[]>;
  count(): Promise<number>;
}

/**
 * Chunks of files this node holds (downloads, or a relay's cache when wrapped by a bounded
 * cache decorator). Implemented with the file transfer work; the port is fixed now so the
 * engine's routing can hand chunks to it.
 */
export interface ChunkStore {
  put(file: FileId, index: number, data: Uint8Array): Promise<void>;
  get(file: FileId, index: number): Promise<Uint8Array | undefined>;
  has(file: FileId, index: number): Promise<boolean>;
  /** Drop everything held for a file. */
  delete(file: FileId): Promise<void>;
}
