import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asPoolId, asUserId } from '@poolnet/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { ServerStore } from '../../src/store/store.js';
import { PG_TEST_URL, PgTestSchemas } from './pg-test-database.js';

const writer = fileURLToPath(new URL('./durability-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const ACKS_BEFORE_KILL = 80;

/** Runs the writer, SIGKILLs it after some acknowledged writes, returns every ack it printed. */
function writeUntilKilled(args: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: string[] = [];
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      acks.push(...lines);
      if (acks.length >= ACKS_BEFORE_KILL) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer stopped on its own: ${stderr}`));
    });
  });
}

/** Checks that every acknowledged write is in the reopened store. */
async function expectAllAcknowledged(store: ServerStore, acks: readonly string[]): Promise<void> {
  expect(acks.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  for (const ack of acks) {
    const [kind = '', a = '', b = ''] = ack.split(' ');
    if (kind === 'user') expect((await store.getUser(asUserId(a))).id).toBe(a);
    else if (kind === 'pool') expect((await store.getPool(asPoolId(a))).id).toBe(a);
    else if (kind === 'invite') {
      expect((await store.listInvites(asPoolId(a))).map((i) => i.id)).toContain(b);
    } else if (kind === 'member') {
      expect((await store.getMembership(asPoolId(a), asUserId(b)))?.role).toBe('member');
      expect((await store.listInvites(asPoolId(a)))[0]?.uses).toBe(1);
    } else throw new Error(`unexpected ack: ${ack}`);
  }
}

describe('durability: acknowledged writes survive SIGKILL', () => {
  it('SQLite (WAL, synchronous = FULL)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poolnet-durability-'));
    try {
      const acks = await writeUntilKilled(['sqlite', dataDir]);
      const store = await openSqliteStore({ dataDir });
      try {
        await expectAllAcknowledged(store, acks);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', () => {
    const schemas = new PgTestSchemas();
    beforeAll(() => schemas.connect());
    afterAll(() => schemas.dropAll());

    it('every acknowledged commit is there after the writer dies', async () => {
      const schema = await schemas.create();
      const acks = await writeUntilKilled(['postgres', PG_TEST_URL, schema]);
      const store = await openPostgresStore({ url: PG_TEST_URL, schema });
      try {
        await expectAllAcknowledged(store, acks);
      } finally {
        await store.close();
      }
    });
  });
});
