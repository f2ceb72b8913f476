import type { Clock } from '../ports/clock.js';
import type { Crypto } from '../ports/crypto.js';
import type { Logger } from '../ports/logger.js';
import type { TrustedCertificates } from '../identity/trusted-certificates.js';
import type { Random } from '../ports/random.js';
import type { SignallingClient } from '../ports/signalling.js';
import type { MessageStore } from '../ports/store.js';
import type { Transport } from '../ports/transport.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import {
  MAX_HOPS,
  MAX_LATEST_MESSAGES,
  MAX_LATEST_SEEDERS,
  MAX_PACKAGE_BYTES,
  MAX_TEXT_BYTES,
  type NodeId,
} from '@poolnet/protocol';
import type { Path } from '../topology/position.js';

/** Tunables of a pool node; defaults below. */
export interface PoolNodeConfig {
  /** Longest chat text accepted for sending (the pool's setting). */
  maxTextBytes: number;
  /** Wait after a position change before reconciling with neighbours (SYNC3). */
  reconcileDelayMs: number;
  /** Wait before pulling ids a neighbour has and I lack: they may still be in flight. */
  reconcileWaitMs: number;
  /** Compare only messages received at least this long ago (see Reconciler). */
  reconcileSettleMs: number;
  /**
   * Messages a neighbour received up to this long before I joined may still be pulled by
   * reconciliation (they were in flight while I joined); older ones are history.
   */
  joinSlackMs: number;
  /** Message ids remembered for duplicate suppression. */
  duplicateWindow: number;
  /** Messages kept whole for reconciliation, and for how long. */
  recentMessages: number;
  recentMaxAgeMs: number;
  /** Latest sync on join: at most this many messages, this many bytes, this many offers. */
  latestMaxMessages: number;
  latestMaxBytes: number;
  latestMaxOffers: number;
  /** RT7: first wait for the ack of a directed message (doubles per attempt), attempts in all. */
  ackTimeoutMs: number;
  ackAttempts: number;
  /** A package that crossed more links than this is dropped (loop guard). */
  maxHops: number;
  /**
   * A relay drops a chunk instead of queueing it on a link whose bulk queue holds more than
   * this (per-link backpressure: a slow neighbour costs bounded memory and slows no one else).
   */
  maxRelayBulkBufferBytes: number;
}

export const defaultConfig: PoolNodeConfig = {
  maxTextBytes: 16 * 1024,
  reconcileDelayMs: 1000,
  reconcileWaitMs: 2000,
  reconcileSettleMs: 500,
  joinSlackMs: 1000,
  duplicateWindow: 16_384,
  recentMessages: 1024,
  recentMaxAgeMs: 10 * 60_000,
  latestMaxMessages: 100,
  latestMaxBytes: 192 * 1024,
  latestMaxOffers: 200,
  ackTimeoutMs: 3000,
  ackAttempts: 5,
  maxHops: 64,
  maxRelayBulkBufferBytes: 16 * 1024 * 1024,
};

/**
 * Defaults, overridden by `partial`, then held within what the wire accepts: a node must never
 * build a frame its neighbours' decoders refuse, whatever it was configured with.
 */
export function resolveConfig(partial: Partial<PoolNodeConfig> = {}): PoolNodeConfig {
  const c = { ...defaultConfig, ...partial };
  return {
    ...c,
    maxTextBytes: Math.min(c.maxTextBytes, MAX_TEXT_BYTES),
    latestMaxMessages: Math.min(c.latestMaxMessages, MAX_LATEST_MESSAGES),
    latestMaxBytes: Math.min(c.latestMaxBytes, MAX_PACKAGE_BYTES - 4096),
    latestMaxOffers: Math.min(c.latestMaxOffers, MAX_LATEST_SEEDERS),
    maxHops: Math.min(c.maxHops, MAX_HOPS),
  };
}

/** Everything a pool node needs from its platform. */
export interface PoolNodeOptions {
  identity: DeviceIdentity;
  /** The sync server's key that signs device certificates. */
  authorityPublicKey: Uint8Array;
  transport: Transport;
  signalling: SignallingClient;
  store: MessageStore;
  crypto: Crypto;
  clock: Clock;
  random: Random;
  logger?: Logger;
  /**
   * Certificates already checked, shared by the nodes of a process that trust the same
   * authority (its key must be `authorityPublicKey`); each node keeps its own otherwise.
   */
  trustedCertificates?: TrustedCertificates;
  /**
   * The current path of a node, from the server's member list: used when a directed message
   * is sent again, since its destination may have moved (been promoted) meanwhile.
   */
  locate?: (node: NodeId) => Path | undefined;
  config?: Partial<PoolNodeConfig>;
}
