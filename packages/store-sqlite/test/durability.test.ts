import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { asPoolId } from '@poolnet/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../src/index.js';
import { TempDatabases, ids } from './fixture.js';

const dbs = new TempDatabases();
afterAll(() => dbs.cleanup());

const writer = fileURLToPath(new URL('./durability-writer.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ACKS_BEFORE_KILL = 300;

/** Runs the writer, SIGKILLs it after some acknowledged appends, returns the ids it printed. */
function writeUntilKilled(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], {
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

describe('durability', () => {
  it('every acknowledged append survives a killed process (WAL, synchronous = NORMAL)', async () => {
    const path = dbs.path();
    const acks = await writeUntilKilled(path);
    expect(acks.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    const store = new SqliteMessageStore(dbs.db(path), asPoolId('pool'));
    const count = await store.count();
    expect(count).toBeGreaterThanOrEqual(acks.length);
    // Arrival order is the order of the acknowledgements, possibly with a few more appended
    // between the last one read and the kill.
    const stored = ids(await store.latest(count, Infinity));
    expect(stored.slice(0, acks.length)).toEqual(acks);
  });
});
