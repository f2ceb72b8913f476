import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DownloadRecord,
  DownloadHistory,
  MAX_HISTORY,
} from '../src/daemon/download-history.js';
import { DataDir } from '../src/daemon/state-files.js';

let path: string;
beforeEach(async () => {
  path = await mkdtemp(join(tmpdir(), 'poolnet-history-'));
});
afterEach(async () => {
  await rm(path, { recursive: true, force: true });
});

const record = (i: number, fields: Partial<DownloadRecord> = {}): DownloadRecord => ({
  file: `file-${i}`,
  pool: i % 2 === 0 ? 'pool-even' : 'pool-odd',
  name: `f${i}.bin`,
  size: i,
  folder: null,
  path: `/downloads/f${i}.bin`,
  sha256: 'ab'.repeat(32),
  startedAt: 1000 + i,
  finishedAt: 2000 + i,
  state: 'done',
  error: null,
  auto: false,
  ...fields,
});

describe('DownloadHistory', () => {
  it('keeps entries across a reopen, newest first, by pool, in a 0600 file', async () => {
    const dir = new DataDir(path);
    const history = await DownloadHistory.open(dir, () => undefined);
    await history.record(record(1));
    await history.record(
      record(2, { state: 'failed', path: null, sha256: null, error: 'disk full' }),
    );
    await history.record(record(3, { state: 'cancelled', path: null, sha256: null, error: 'x' }));

    const again = await DownloadHistory.open(dir, () => undefined);
    expect(again.list().map((r) => [r.file, r.state])).toEqual([
      ['file-3', 'cancelled'],
      ['file-2', 'failed'],
      ['file-1', 'done'],
    ]);
    expect(again.list({ pool: 'pool-odd' }).map((r) => r.file)).toEqual(['file-3', 'file-1']);
    expect(again.list({ limit: 1 }).map((r) => r.file)).toEqual(['file-3']);
    expect(again.list()[1]?.error).toBe('disk full');
    expect((await stat(join(path, 'downloads.json'))).mode & 0o777).toBe(0o600);
  });

  it('keeps the newest MAX_HISTORY entries; writes that overlap leave the last state on disk', async () => {
    const dir = new DataDir(path);
    const history = await DownloadHistory.open(dir, () => undefined);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < MAX_HISTORY + 5; i++) writes.push(history.record(record(i)));
    await Promise.all(writes);
    const stored = JSON.parse(await readFile(join(path, 'downloads.json'), 'utf8'));
    expect(stored.downloads).toHaveLength(MAX_HISTORY);
    expect(stored.downloads.at(-1).file).toBe(`file-${MAX_HISTORY + 4}`);
    expect(stored.downloads[0].file).toBe('file-5');
  });

  it('a damaged file starts an empty history (logged); damaged entries are skipped', async () => {
    await writeFile(join(path, 'downloads.json'), '{ not json');
    const lines: string[] = [];
    const history = await DownloadHistory.open(new DataDir(path), (l) => lines.push(l));
    expect(history.list()).toEqual([]);
    expect(lines.join()).toMatch(/damaged/);

    await writeFile(
      join(path, 'downloads.json'),
      JSON.stringify({ downloads: [record(1), { file: 3 }, record(2)] }),
    );
    const partly = await DownloadHistory.open(new DataDir(path), () => undefined);
    expect(partly.list().map((r) => r.file)).toEqual(['file-2', 'file-1']);
  });
});
