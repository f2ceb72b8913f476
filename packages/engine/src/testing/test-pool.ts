import { asNodeId, asUserId, type NodeId } from '@poolnet/protocol';
import type { Crypto } from '../ports/crypto.js';
import { TestAuthority } from '../identity/device-identity.js';
import { TrustedCertificates } from '../identity/trusted-certificates.js';
import { nobleCrypto } from '../identity/noble-crypto.js';
import { PoolNode, type DeliveredMessage } from '../node/pool-node.js';
import type { PoolNodeConfig } from '../node/options.js';
import { MemoryMessageStore } from '../store/memory-message-store.js';
import { ManualClock } from './manual-clock.js';
import { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.js';
import { MemoryServer } from './memory-server.js';
import { SeededRandom } from './seeded-random.js';

export interface TestPoolOptions {
  seed?: number;
  latencyMs?: MemoryNetworkOptions['latencyMs'];
  lossRate?: number;
  serverLatencyMs?: number;
  crypto?: Crypto;
  config?: Partial<PoolNodeConfig>;
  /** Keep every delivered message per node in `inbox` (default true; the simulator says no). */
  keepInbox?: boolean;
}

/** A pool of engines on the memory network, with the placement module as the server. */
export class TestPool {
  readonly clock = new ManualClock();
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly server: MemoryServer;
  readonly authority: TestAuthority;
  readonly certificates: TrustedCertificates;
  readonly crypto: Crypto;
  readonly nodes = new Map<NodeId, PoolNode>();
  /** Every message each node delivered, in order. */
  readonly inbox = new Map<NodeId, DeliveredMessage[]>();
  private counter = 0;

  constructor(private readonly options: TestPoolOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.crypto = options.crypto ?? nobleCrypto;
    this.network = new MemoryNetwork({
      clock: this.clock,
      random: this.random,
      latencyMs: options.latencyMs ?? [2, 10],
      lossRate: options.lossRate ?? 0,
    });
    this.server = new MemoryServer(this.clock, options.serverLatencyMs ?? 5);
    this.authority = new TestAuthority(this.crypto);
    // One cache for the whole pool, as a daemon shares one per authority.
    this.certificates = new TrustedCertificates(this.crypto, this.authority.publicKey);
  }

  /** Create a node and have the server place it. Call `settle()` to let links open. */
  add(id?: string): PoolNode {
    const nodeId = asNodeId(id ?? `n${++this.counter}`);
    const node = new PoolNode({
      identity: this.authority.identity(nodeId, asUserId(`u-${nodeId}`), this.clock.now()),
      authorityPublicKey: this.authority.publicKey,
      trustedCertificates: this.certificates,
      transport: this.network.transport(nodeId),
      signalling: this.server.client(nodeId),
      store: new MemoryMessageStore(),
      crypto: this.crypto,
      clock: this.clock,
      random: this.random,
      config: this.options.config,
      // The server's member list tells where a node is now.
      locate: (id) =>
        this.server.topology.has(id) ? this.server.topology.positionOf(id).path : undefined,
    });
    if (this.options.keepInbox !== false) {
      const inbox: DeliveredMessage[] = [];
      this.inbox.set(nodeId, inbox);
      node.onMessage((m) => inbox.push(m));
    }
    node.start();
    this.nodes.set(nodeId, node);
    this.server.join(nodeId);
    return node;
  }

  /** A node leaves: the server re-places around it and its links close. */
  remove(nodeId: NodeId): void {
    const node = this.nodes.get(nodeId);
    this.nodes.delete(nodeId);
    this.server.leave(nodeId);
    node?.stop();
    this.network.remove(nodeId);
  }

  /** Run virtual time until nothing is scheduled (or `limitMs` passes). */
  async settle(limitMs = 60_000): Promise<void> {
    await this.clock.runUntilIdle(limitMs);
  }

  texts(nodeId: NodeId): string[] {
    return (this.inbox.get(nodeId) ?? []).flatMap((d) =>
      d.message.content.case === 'text' ? [d.message.content.value.text] : [],
    );
  }
}

/** `n` nodes joined and linked, time settled. */
export async function createTestPool(n: number, options: TestPoolOptions = {}): Promise<TestPool> {
  const pool = new TestPool(options);
  for (let i = 0; i < n; i++) pool.add();
  await pool.settle();
  return pool;
}
