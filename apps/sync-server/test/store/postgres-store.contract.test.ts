import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { serverStoreContract } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import type { ServerStore } from '../../src/store/store.js';
import { PG_TEST_URL, PgTestSchemas } from './pg-test-database.js';

const schemas = new PgTestSchemas();
const open: ServerStore[] = [];

// Each case gets its own schema, migrated from scratch.
const make = async (): Promise<ServerStore> => {
  const store = await openPostgresStore({ url: PG_TEST_URL, schema: await schemas.create() });
  open.push(store);
  return store;
};

beforeAll(() => schemas.connect());
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => schemas.dropAll());

describe('PostgreSQL server store contract', () => {
  for (const c of serverStoreContract) {
    it(`[${c.id}] ${c.name}`, () => c.run(make));
  }
});
