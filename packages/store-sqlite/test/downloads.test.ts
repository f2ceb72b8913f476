import Database from 'better-sqlite3';
import { asFileId, asPoolId } from '@poolnet/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Downloads } from '../src/index.js';
import { TempDatabases } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const A = asPoolId('pool-a');
const B = asPoolId('pool-b');
const F = asFileId('file-1');
const hash = new Uint8Array(32).fill(7);
const start = (downloads: Downloads, fileId = F, startedAt = 100, poolId = A) =>
  downloads.start({ poolId, fileId, targetPath: `/downloads/${fileId}`, startedAt });
const code = (c: string) => expect.objectContaining({ code: c });

describe('Downloads', () => {
  it('walks active → paused → active → done, keeping progress and the verified hash', () => {
    const downloads = new Downloads(dbs.db());
    expect(start(downloads)).toEqual({
      poolId: A,
      fileId: F,
      targetPath: '/downloads/file-1',
      state: 'active',
      bytesDone: 0,
      startedAt: 100,
      finishedAt: null,
      sha256: null,
      failure: null,
    });
    downloads.progress(A, F, 65_536);
    expect(downloads.pause(A, F)).toMatchObject({ state: 'paused', bytesDone: 65_536 });
    downloads.progress(A, F, 131_072); // a chunk that was in flight
    expect(downloads.resume(A, F).state).toBe('active');
    expect(
      downloads.finish(A, F, { bytesDone: 200_000, sha256: hash, finishedAt: 900 }),
    ).toMatchObject({
      state: 'done',
      bytesDone: 200_000,
      sha256: hash,
      finishedAt: 900,
    });
  });

  it('refuses transitions the state does not allow, changing nothing', () => {
    const downloads = new Downloads(dbs.db());
    start(downloads);
    expect(() => start(downloads)).toThrow(code('CONFLICT'));
    expect(() => downloads.resume(A, F)).toThrow(code('CONFLICT'));
    downloads.finish(A, F, { bytesDone: 10, sha256: hash, finishedAt: 200 });
    expect(() => downloads.pause(A, F)).toThrow(code('CONFLICT'));
    expect(() => downloads.progress(A, F, 5)).toThrow(code('CONFLICT'));
    expect(() => downloads.fail(A, F, { failure: 'x', finishedAt: 300 })).toThrow(code('CONFLICT'));
    expect(downloads.get(A, F)).toMatchObject({ state: 'done', bytesDone: 10, finishedAt: 200 });
    const unknown = asFileId('unknown');
    expect(() => downloads.pause(A, unknown)).toThrow(code('NOT_FOUND'));
    expect(() => downloads.progress(A, unknown, 1)).toThrow(code('NOT_FOUND'));
    expect(downloads.get(A, unknown)).toBeUndefined();
  });

  it('a failed or done download can start again, from zero', () => {
    const downloads = new Downloads(dbs.db());
    start(downloads);
    downloads.progress(A, F, 50);
    expect(downloads.fail(A, F, { failure: 'every seeder left', finishedAt: 150 })).toMatchObject({
      state: 'failed',
      failure: 'every seeder left',
      finishedAt: 150,
      bytesDone: 50,
    });
    expect(start(downloads, F, 400)).toMatchObject({
      state: 'active',
      bytesDone: 0,
      startedAt: 400,
      failure: null,
      finishedAt: null,
    });
  });

  it('lists unfinished downloads to resume, and the history newest first', () => {
    const downloads = new Downloads(dbs.db());
    for (let i = 1; i <= 6; i++) start(downloads, asFileId(`f${i}`), i * 10, i % 2 === 0 ? B : A);
    downloads.finish(A, asFileId('f1'), { bytesDone: 1, sha256: hash, finishedAt: 11 });
    downloads.pause(B, asFileId('f2'));
    downloads.fail(A, asFileId('f3'), { failure: 'gone', finishedAt: 31 });
    expect(downloads.unfinished().map((d) => d.fileId)).toEqual(['f2', 'f4', 'f5', 'f6']);
    expect(downloads.history().map((d) => d.fileId)).toEqual(['f6', 'f5', 'f4', 'f3', 'f2', 'f1']);
    expect(downloads.history({ limit: 2, offset: 1 }).map((d) => d.fileId)).toEqual(['f5', 'f4']);
    expect(downloads.history({ poolId: A }).map((d) => d.fileId)).toEqual(['f5', 'f3', 'f1']);
    expect(downloads.remove(A, asFileId('f5'))).toBe(true);
    expect(downloads.remove(A, asFileId('f5'))).toBe(false);
    expect(downloads.history({ poolId: A }).map((d) => d.fileId)).toEqual(['f3', 'f1']);
  });

  it('a damaged row of one pool does not break the lists across pools', () => {
    const path = dbs.path();
    const downloads = new Downloads(dbs.db(path));
    start(downloads, asFileId('f1'), 10, A);
    const raw = new Database(path);
    raw
      .prepare(
        `INSERT INTO downloads (pool_id, file_id, target_path, state, bytes_done, started_at)
         VALUES ('pool-b', 'f2', '/x', 'active', 0, ?)`,
      )
      .run(2n ** 62n);
    raw.close();
    expect(downloads.history().map((d) => d.fileId)).toEqual(['f1']);
    expect(downloads.unfinished().map((d) => d.fileId)).toEqual(['f1']);
    expect(() => downloads.get(B, asFileId('f2'))).toThrow(code('CORRUPT'));
  });

  it('refuses bad values', () => {
    const downloads = new Downloads(dbs.db());
    expect(() =>
      downloads.start({ poolId: A, fileId: F, targetPath: 'rel', startedAt: 1 }),
    ).toThrow(code('INVALID_ARGUMENT'));
    start(downloads);
    expect(() => downloads.progress(A, F, -1)).toThrow(code('INVALID_ARGUMENT'));
    expect(() =>
      downloads.finish(A, F, { bytesDone: 1, sha256: new Uint8Array(3), finishedAt: 1 }),
    ).toThrow(code('INVALID_ARGUMENT'));
    expect(() => downloads.fail(A, F, { failure: 'x'.repeat(1025), finishedAt: 1 })).toThrow(
      code('INVALID_ARGUMENT'),
    );
    expect(() => downloads.history({ offset: -1 })).toThrow(code('INVALID_ARGUMENT'));
    expect(downloads.get(A, F)?.state).toBe('active');
  });
});
