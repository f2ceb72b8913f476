import { asNodeId, type NodeId } from '@poolnet/protocol';
import { TestPool, type Crypto, type Destination } from '@poolnet/engine/testing';

export interface SimOptions {
  nodes: number;
  messages: number;
  churn: number;
  seed: number;
  /** One-way link latency range, ms. */
  latencyMs?: readonly [number, number];
  /** Virtual time between two sends, ms. */
  sendIntervalMs?: number;
  crypto?: Crypto;
}

export interface SimResult {
  nodes: number;
  messages: number;
  deliveredRatio: number;
  duplicates: number;
  directedDeliveredRatio: number;
  maxLinks: number;
  p50Hops: number;
  p99Hops: number;
  msPerJoin: number;
  seed: number;
  churn: number;
  deliveries: number;
  repaired: number;
  repairDuplicates: number;
  simulatedMs: number;
  wallMs: number;
}

type Event =
  | { at: number; kind: 'broadcast' }
  | { at: number; kind: 'directed' }
  | { at: number; kind: 'leave' }
  | { at: number; kind: 'join' };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Builds a pool of `nodes` engines on the memory network with the real placement module as the
 * server, then sends `messages` broadcasts and `messages` directed messages from random nodes
 * while a fraction `churn` of the nodes leaves and as many new ones join, and measures.
 */
export async function simulate(options: SimOptions): Promise<SimResult> {
  const started = Date.now();
  const pool = new TestPool({
    seed: options.seed,
    latencyMs: options.latencyMs ?? [5, 20],
    serverLatencyMs: 10,
    keepInbox: false,
    ...(options.crypto ? { crypto: options.crypto } : {}),
  });
  const { random, clock } = pool;

  // Deliveries: message id -> receivers; hops of first deliveries.
  const receivers = new Map<string, Set<NodeId>>();
  const hops: number[] = [];
  let repaired = 0;
  const watch = (id: NodeId): void => {
    pool.nodes.get(id)!.onMessage((d) => {
      let set = receivers.get(d.message.id);
      if (!set) receivers.set(d.message.id, (set = new Set()));
      set.add(id);
      if (d.via === 'broadcast' || d.via === 'directed') hops.push(d.hops);
      if (d.via === 'reconcile') repaired++;
    });
  };

  // 1. Build the pool.
  const joinStart = Date.now();
  for (let i = 0; i < options.nodes; i++) watch(pool.add().id);
  await pool.settle();
  const msPerJoin = (Date.now() - joinStart) / options.nodes;

  // 2. Traffic with churn, spread over virtual time.
  const interval = options.sendIntervalMs ?? 50;
  const span = Math.max(1, options.messages * interval);
  const churnCount = Math.round(options.churn * options.nodes);
  const events: Event[] = [];
  for (let i = 0; i < options.messages; i++) {
    events.push({ at: random.int(span), kind: 'broadcast' });
    events.push({ at: random.int(span), kind: 'directed' });
  }
  for (let i = 0; i < churnCount; i++) {
    events.push({ at: random.int(span), kind: 'leave' });
    events.push({ at: random.int(span), kind: 'join' });
  }
  events.sort((a, b) => a.at - b.at);

  const live: NodeId[] = [...pool.nodes.keys()];
  const liveIndex = new Map(live.map((id, i) => [id, i]));
  const left = new Set<NodeId>();
  const removeLive = (id: NodeId): void => {
    const i = liveIndex.get(id)!;
    const last = live.pop()!;
    if (last !== id) {
      live[i] = last;
      liveIndex.set(last, i);
    }
    liveIndex.delete(id);
  };
  const pick = (): NodeId => live[random.int(live.length)]!;
  const broadcasts: Array<{ id: string; present: NodeId[] }> = [];
  const directed: Array<{ id: string; from: NodeId; dest: NodeId }> = [];
  let joined = 0;

  const t0 = clock.now();
  for (const event of events) {
    await clock.advance(t0 + event.at - clock.now());
    switch (event.kind) {
      case 'broadcast': {
        const node = pool.nodes.get(pick())!;
        if (!node.position) break;
        const id = node.sendText(`broadcast ${broadcasts.length}`);
        broadcasts.push({ id, present: [...live] });
        break;
      }
      case 'directed': {
        const from = pool.nodes.get(pick())!;
        const dest = pick();
        if (!from.position || dest === from.id || !pool.server.topology.has(dest)) break;
        const position = pool.server.topology.positionOf(dest);
        const to: Destination = { nodeId: dest, path: position.path };
        const id = from.sendTo([to], {
          case: 'retractRequest',
          value: { $typeName: 'poolnet.v1.RetractRequest', fileId: `probe-${directed.length}` },
        });
        directed.push({ id, from: from.id, dest });
        break;
      }
      case 'leave': {
        if (live.length <= 2) break;
        const id = pick();
        removeLive(id);
        left.add(id);
        pool.remove(id);
        break;
      }
      case 'join': {
        const node = pool.add(asNodeId(`j${++joined}`));
        watch(node.id);
        liveIndex.set(node.id, live.length);
        live.push(node.id);
        break;
      }
    }
  }
  // 3. Let the pool go quiet.
  await pool.settle(10 * 60_000);

  let expected = 0;
  let delivered = 0;
  for (const b of broadcasts) {
    const got = receivers.get(b.id);
    for (const id of b.present) {
      if (left.has(id)) continue;
      expected++;
      if (got?.has(id)) delivered++;
    }
    // The author itself is counted (it 'delivers' its own message locally).
  }
  let dExpected = 0;
  let dDelivered = 0;
  for (const d of directed) {
    // Counted when both ends stay: a sender that leaves stops retrying (RT7).
    if (left.has(d.dest) || left.has(d.from)) continue;
    dExpected++;
    if (receivers.get(d.id)?.has(d.dest)) dDelivered++;
  }
  let duplicates = 0;
  let repairDuplicates = 0;
  let maxLinks = 0;
  for (const node of pool.nodes.values()) {
    duplicates += node.stats.duplicates;
    repairDuplicates += node.stats.repairDuplicates;
    maxLinks = Math.max(
      maxLinks,
      node.neighbours().length,
      pool.server.topology.linksOf(node.id).size,
    );
  }
  hops.sort((a, b) => a - b);
  return {
    nodes: options.nodes,
    messages: options.messages,
    deliveredRatio: expected === 0 ? 1 : delivered / expected,
    duplicates,
    directedDeliveredRatio: dExpected === 0 ? 1 : dDelivered / dExpected,
    maxLinks,
    p50Hops: percentile(hops, 50),
    p99Hops: percentile(hops, 99),
    msPerJoin: Math.round(msPerJoin * 1000) / 1000,
    seed: options.seed,
    churn: options.churn,
    deliveries: delivered,
    repaired,
    repairDuplicates,
    simulatedMs: clock.now() - t0,
    wallMs: Date.now() - started,
  };
}
