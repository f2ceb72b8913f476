import {
  MAX_PACKAGE_BYTES,
  LatestReplySchema,
  LatestRequestSchema,
  create,
  decodeSignedPoolMessage,
  type DirectMessage,
  type LatestReply,
  type NodeId,
  type SignedPoolMessage,
} from '@poolnet/protocol';
import { toBinary } from '@bufbuild/protobuf';
import type { MessageStore } from '../ports/store.js';
import type { OfferTable } from './offer-table.js';

/** Room left in a package for the envelope around a latest reply. */
const MAX_REPLY_BYTES = MAX_PACKAGE_BYTES - 4096;

export interface LatestSyncConfig {
  latestMaxMessages: number;
  latestMaxBytes: number;
  latestMaxOffers: number;
}

export interface LatestSyncHost {
  readonly store: MessageStore;
  readonly offers: OfferTable;
  send(peer: NodeId, kind: DirectMessage['kind']): void;
  /** Verify and keep a message from a neighbour's history (never forwarded). */
  accept(signed: SignedPoolMessage): void;
  /** A stored message could not be read back. */
  storeError(): void;
}

/**
 * SYNC1–SYNC2: a node that joins asks its first neighbour for the latest messages and the file
 * offers with their seeders, bounded by count and encoded size, and merges them. If that
 * neighbour goes before answering, the next link is asked.
 */
export class LatestSync {
  private synced = false;
  private askedOf: NodeId | undefined;

  constructor(
    private readonly host: LatestSyncHost,
    private readonly config: LatestSyncConfig,
  ) {}

  linkUp(peer: NodeId): void {
    if (this.synced || this.askedOf !== undefined) return;
    this.askedOf = peer;
    this.host.send(peer, {
      case: 'latestRequest',
      value: create(LatestRequestSchema, {
        maxMessages: this.config.latestMaxMessages,
        maxBytes: this.config.latestMaxBytes,
      }),
    });
  }

  linkDown(peer: NodeId): void {
    if (this.askedOf === peer) this.askedOf = undefined;
  }

  /** A neighbour asks: answer from my store and offer table, within my own bounds too. */
  async onRequest(peer: NodeId, maxMessages: number, maxBytes: number): Promise<void> {
    const limit = Math.min(maxMessages || Infinity, this.config.latestMaxMessages);
    const bytes = Math.min(maxBytes || Infinity, this.config.latestMaxBytes);
    let stored: Awaited<ReturnType<MessageStore['latest']>> = [];
    try {
      stored = await this.host.store.latest(limit, bytes);
    } catch {
      this.host.storeError();
    }
    const messages: SignedPoolMessage[] = [];
    for (const s of stored) {
      try {
        messages.push(decodeSignedPoolMessage(s.signed));
      } catch {
        this.host.storeError();
      }
    }
    let total = 0;
    try {
      total = await this.host.store.count();
    } catch {
      this.host.storeError();
    }
    const reply = create(LatestReplySchema, {
      messages,
      seeders: this.host.offers.toWire(this.config.latestMaxOffers),
      truncated: total > messages.length,
    });
    // SYNC2: the reply must fit one package whatever the bounds were set to: drop the oldest
    // messages, then offers, until it does.
    while (toBinary(LatestReplySchema, reply).length > MAX_REPLY_BYTES) {
      if (reply.messages.length > 0) reply.messages.shift();
      else if (reply.seeders.length > 0) reply.seeders.pop();
      else break;
      reply.truncated = true;
    }
    this.host.send(peer, { case: 'latestReply', value: reply });
  }

  onReply(peer: NodeId, reply: LatestReply): void {
    if (this.askedOf === peer) this.askedOf = undefined;
    this.synced = true;
    this.host.offers.merge(reply.seeders);
    for (const signed of reply.messages) this.host.accept(signed);
  }
}
