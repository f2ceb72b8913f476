import { asNodeId } from '@poolnet/protocol';
import { TestPool } from '@poolnet/engine/testing';
import { nodeCrypto } from '@poolnet/platform-node';

// `npm start` for now: a pool of engines on the in-memory network, the real placement module
// standing in for the sync server. Later issues replace this with the sync server + daemon.
const size = Number(process.env.POOLNET_DEMO_NODES ?? 40);
const pool = new TestPool({ seed: 7, crypto: nodeCrypto() });
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const t = (): string => `${String(pool.clock.now() - 1_700_000_000_000).padStart(6)} ms`;

say(`Poolnet demo — ${size} devices join one pool on the in-memory network\n`);
for (let i = 0; i < size; i++) pool.add();
await pool.settle();
const links = [...pool.nodes.values()].map((n) => n.neighbours().length);
say(
  `${t()}  pool formed: ${pool.nodes.size} nodes, ${links.reduce((a, b) => a + b, 0) / 2} links, at most ${Math.max(...links)} per node`,
);

const alice = pool.nodes.get(asNodeId('n1'))!;
const bob = pool.nodes.get(asNodeId(`n${size}`))!;
alice.sendText('hello pool!');
bob.sendText('hi alice, greetings from the edge of the tree');
await pool.settle();
for (const node of [alice, bob]) {
  const inbox = pool.inbox.get(node.id)!;
  for (const d of inbox) {
    if (d.message.content.case !== 'text') continue;
    say(
      `            ${node.id} got "${d.message.content.value.text}" from ${d.message.authorNodeId} (${d.hops} hops)`,
    );
  }
}

say(`\n${t()}  five devices leave while a message is in flight; the tree re-forms around them`);
bob.sendText('anyone still there?');
await pool.clock.advance(3);
for (const id of ['n2', 'n5', 'n9', 'n14', 'n20']) pool.remove(asNodeId(id));
await pool.settle();
const missing = [...pool.nodes.keys()].filter(
  (id) => !pool.texts(id).includes('anyone still there?'),
);
const repaired = [...pool.inbox.values()].flat().filter((d) => d.via === 'reconcile').length;
say(
  `${t()}  every remaining node has it: ${missing.length === 0 ? 'yes' : `no (${missing.join(', ')})`} — ${repaired} copies repaired by reconciliation`,
);

const late = pool.add('latecomer');
await pool.settle();
say(`${t()}  a latecomer joins and syncs the latest history from a neighbour:`);
for (const text of pool.texts(late.id)) say(`            · ${text}`);

const stats = [...pool.nodes.values()].reduce(
  (a, n) => ({ duplicates: a.duplicates + n.stats.duplicates, bad: a.bad + n.stats.badSignature }),
  { duplicates: 0, bad: 0 },
);
say(`\nDuplicates received: ${stats.duplicates}. Bad signatures: ${stats.bad}.`);
say('Try the large simulator: npm run sim -- --nodes 10000 --messages 100 --churn 0.1 --seed 1');
