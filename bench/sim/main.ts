import { parseArgs } from 'node:util';
import { nodeCrypto, sharedVerifyCache } from '@poolnet/platform-node';
import { simulate } from './simulate.js';

// npm run sim -- --nodes N --messages M --churn C --seed S  → one JSON line on stdout.
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '100' },
    churn: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '5,20' },
    verbose: { type: 'boolean', default: false },
  },
});

function number(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number in [${min}, ${max}], got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const [lo, hi] = (values.latency ?? '5,20').split(',').map(Number);
const result = await simulate({
  nodes: Math.floor(number('nodes', values.nodes, 1, 1_000_000)),
  messages: Math.floor(number('messages', values.messages, 0, 1_000_000)),
  churn: number('churn', values.churn, 0, 1),
  seed: Math.floor(number('seed', values.seed, 0, 2 ** 32 - 1)),
  latencyMs: [lo ?? 5, hi ?? lo ?? 20],
  crypto: sharedVerifyCache(nodeCrypto()),
});
// The must-show line, in this order; --verbose prints every figure.
const FIGURES = [
  'nodes',
  'messages',
  'deliveredRatio',
  'duplicates',
  'directedDeliveredRatio',
  'maxLinks',
  'p50Hops',
  'p99Hops',
  'msPerJoin',
  'seed',
] as const;
const line = values.verbose ? result : Object.fromEntries(FIGURES.map((k) => [k, result[k]]));
process.stdout.write(`${JSON.stringify(line)}\n`);
