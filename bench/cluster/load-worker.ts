/**
 * One load-generator process of `bench:cluster` (forked with IPC by `main.ts`): it runs the
 * `bench:server` join phase (`SignalLoad`) for its share of the nodes against one instance,
 * reports when every node is placed (after the heartbeat barrier), keeps them connected
 * until told to quit, then drops them.
 *
 * Messages: parent → `{ type: 'join', url, wsUrl, nodes, concurrency }`, `{ type: 'quit' }`;
 * worker → `{ type: 'joined', nodes, phaseMs, refreshedTokens }` or `{ type: 'failed', error }`.
 */
import type { BenchNode } from '../server/setup.js';
import { SignalLoad } from '../server/signal-load.js';

interface JoinOrder {
  readonly type: 'join';
  readonly url: string;
  readonly wsUrl: string;
  readonly nodes: BenchNode[];
  readonly concurrency: number;
}

let load: SignalLoad | undefined;
const send = (message: unknown) => process.send?.(message);

process.on('message', (message: JoinOrder | { type: 'quit' }) => {
  if (message.type === 'quit') {
    load?.terminate();
    process.exit(0);
  }
  if (message.type !== 'join' || load !== undefined) return;
  load = new SignalLoad({
    url: message.url,
    wsUrl: message.wsUrl,
    nodes: message.nodes,
    concurrency: message.concurrency,
  });
  load.join().then(
    (result) => {
      // From now on the instances may stop first: closes are expected.
      load?.quiet();
      send({
        type: 'joined',
        nodes: result.nodes,
        phaseMs: result.phaseMs,
        refreshedTokens: result.refreshedTokens,
      });
    },
    (err: unknown) => send({ type: 'failed', error: String((err as Error).stack ?? err) }),
  );
});
// The parent went away: do not outlive it.
process.on('disconnect', () => process.exit(0));
// Loaded and compiled: the parent times from its order, not from our start-up.
send({ type: 'ready' });
