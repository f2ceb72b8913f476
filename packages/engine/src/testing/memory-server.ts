import type { NodeId } from '@poolnet/protocol';
import type { Clock } from '../ports/clock.js';
import type { ReportReason, SignallingClient, SignallingEvents } from '../ports/signalling.js';
import type { TopologyChange } from '../topology/index.js';
import { Topology } from '../topology/index.js';

interface Client {
  readonly subscribers: Set<SignallingEvents>;
}

/** What the memory server counted. */
export interface MemoryServerStats {
  positionUpdates: number;
  connectOrders: number;
  disconnectOrders: number;
  signalsRelayed: number;
  /** Signals refused because the server never ordered that link (SIG1). */
  signalsRefused: number;
  reports: Array<{ from: NodeId; peer: NodeId; reason: ReportReason }>;
}

/**
 * A sync server stand-in for tests and the simulator: the real placement module places nodes
 * and its TopologyChange orders reach each node's SignallingClient after `latencyMs`, in
 * order (positions first, then link orders, as the real server must). Signalling is relayed
 * only between nodes the topology links.
 */
export class MemoryServer {
  readonly topology = new Topology();
  readonly stats: MemoryServerStats = {
    positionUpdates: 0,
    connectOrders: 0,
    disconnectOrders: 0,
    signalsRelayed: 0,
    signalsRefused: 0,
    reports: [],
  };
  private readonly clients = new Map<NodeId, Client>();

  constructor(
    private readonly clock: Clock,
    private readonly latencyMs = 1,
  ) {}

  /** The signalling client a node uses to reach this server. */
  client(nodeId: NodeId): SignallingClient {
    const client = this.ensure(nodeId);
    return {
      subscribe: (events) => {
        client.subscribers.add(events);
        return () => client.subscribers.delete(events);
      },
      sendSignal: (to, payload) => this.relay(nodeId, to, payload),
      report: (peer, reason) => void this.stats.reports.push({ from: nodeId, peer, reason }),
      verifyReply: () => {},
    };
  }

  /** Place a node (its client must be subscribed) and tell everyone concerned. */
  join(nodeId: NodeId): TopologyChange {
    const change = this.topology.add(nodeId);
    this.dispatch(change);
    return change;
  }

  /** Remove a node (device gone) and re-place around the hole. */
  leave(nodeId: NodeId): TopologyChange {
    const change = this.topology.remove(nodeId);
    this.clients.delete(nodeId);
    this.dispatch(change);
    return change;
  }

  private dispatch(change: TopologyChange): void {
    for (const [node, position] of change.positions) {
      this.stats.positionUpdates++;
      this.deliver(node, (e) => e.position(position));
    }
    for (const { a, b } of change.disconnects) {
      this.stats.disconnectOrders += 2;
      this.deliver(a, (e) => e.disconnect(b));
      this.deliver(b, (e) => e.disconnect(a));
    }
    for (const { initiator, responder } of change.connects) {
      this.stats.connectOrders += 2;
      this.deliver(initiator, (e) => e.connect(responder, true));
      this.deliver(responder, (e) => e.connect(initiator, false));
    }
  }

  private relay(from: NodeId, to: NodeId, payload: Uint8Array): void {
    if (
      !this.topology.has(from) ||
      !this.topology.has(to) ||
      !this.topology.linksOf(from).has(to)
    ) {
      this.stats.signalsRefused++;
      return;
    }
    this.stats.signalsRelayed++;
    this.deliver(to, (e) => e.signal(from, payload));
  }

  private deliver(node: NodeId, fn: (events: SignallingEvents) => void): void {
    const client = this.clients.get(node);
    if (!client) return;
    this.clock.setTimeout(() => {
      for (const s of client.subscribers) fn(s);
    }, this.latencyMs);
  }

  private ensure(nodeId: NodeId): Client {
    let client = this.clients.get(nodeId);
    if (!client) {
      client = { subscribers: new Set() };
      this.clients.set(nodeId, client);
    }
    return client;
  }
}
