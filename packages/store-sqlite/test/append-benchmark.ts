/**
 * Not a test: times 10,000 appends of 300-byte messages (each its own transaction, as the
 * engine appends them) and a walk back through the history, and prints the figures as JSON.
 * Timings are printed, never asserted.
 *
 *   npx tsx packages/store-sqlite/test/append-benchmark.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { asPoolId } from '@poolnet/protocol';
import { SqliteMessageStore, openDeviceDatabase } from '../src/index.js';
import { message } from './fixture.js';

const MESSAGES = 10_000;
const root = mkdtempSync(join(tmpdir(), 'poolnet-store-bench-'));

async function run(synchronous: 'normal' | 'full') {
  const path = join(root, synchronous, 'poolnet.db');
  const db = openDeviceDatabase(path, { synchronous });
  const store = new SqliteMessageStore(db, asPoolId('pool'));
  let t = performance.now();
  for (let i = 1; i <= MESSAGES; i++) await store.append(message(i, 'm', 300));
  const appendMs = performance.now() - t;

  t = performance.now();
  let page = await store.page({ limit: 100 });
  let pages = 1;
  while (page.hasOlder) {
    page = await store.page({ before: page.messages[0]!.id, limit: 100 });
    pages++;
  }
  const pagesMs = performance.now() - t;

  t = performance.now();
  await store.latest(500, 256 * 1024);
  const latestMs = performance.now() - t;
  db.close();
  return {
    synchronous,
    messages: MESSAGES,
    appendMs: Math.round(appendMs),
    appendsPerSecond: Math.round(MESSAGES / (appendMs / 1000)),
    pages,
    pagesMs: Math.round(pagesMs),
    latestMs: Number(latestMs.toFixed(2)),
    fileBytes: statSync(path).size,
  };
}

try {
  const results = [await run('normal'), await run('full')];
  console.log(JSON.stringify({ bench: 'store-sqlite append', dir: tmpdir(), results }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
