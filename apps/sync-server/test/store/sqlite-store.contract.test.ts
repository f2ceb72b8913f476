import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, it } from 'vitest';
import { serverStoreContract } from '../../src/store/contract.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { ServerStore } from '../../src/store/store.js';

const root = mkdtempSync(join(tmpdir(), 'poolnet-sqlite-'));
const open: ServerStore[] = [];
let n = 0;

// Each case gets its own database file, as the server would have.
const make = async (): Promise<ServerStore> => {
  const store = await openSqliteStore({ dataDir: join(root, `db-${++n}`) });
  open.push(store);
  return store;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SQLite server store contract', () => {
  for (const c of serverStoreContract) {
    it(`[${c.id}] ${c.name}`, () => c.run(make));
  }
});
