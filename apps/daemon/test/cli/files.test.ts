import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadRecord, FileView, FolderView } from '../../src/api-types.js';
import { parseBytes } from '../../src/cli/bytes.js';
import type { RunDaemon } from '../../src/cli/io.js';
import { FakeApi } from './fake-api.js';
import { NOW } from './fixtures.js';
import { runCli, startCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(async () => {
  await api.close();
});

const cli = (...argv: string[]) => runCli([...argv, '--data', api.dataDir], { now: () => NOW });

const file = (fields: Partial<FileView> = {}): FileView => ({
  id: 'file-1',
  pool: 'pool-1',
  name: 'notes.txt',
  size: 1536,
  origin: 'dev-1',
  seedersOnline: 1,
  have: false,
  mine: false,
  downloading: false,
  kind: 'file',
  mime: '',
  width: null,
  height: null,
  preview: null,
  folder: null,
  relativePath: '',
  ...fields,
});

const folder: FolderView = {
  id: 'folder-1',
  pool: 'pool-1',
  name: 'Trip',
  origin: 'dev-2',
  mine: false,
  fileCount: 12,
  size: 3 * 1024 * 1024,
  haveCount: 3,
  downloadingCount: 0,
  seedersOnline: 2,
};

describe('poolnet files', () => {
  it('lists a folder as one line and an image with its size', async () => {
    api.on('GET /v1/files', {
      body: {
        files: [
          file(),
          file({ id: 'img-1', name: 'cat.png', kind: 'image', width: 640, height: 480 }),
        ],
        folders: [folder],
      },
    });
    const { code, stdout } = await cli('files', 'Family');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ID\s+KIND\s+SIZE\s+SEEDERS\s+HAVE$/);
    expect(lines[1]).toMatch(/^Trip\/\s+folder-1\s+folder, 12 files\s+3\.0 MiB\s+2\s+3\/12$/);
    expect(lines[2]).toMatch(/^notes\.txt\s+file-1\s+file\s+1\.5 KiB\s+1\s*$/);
    expect(lines[3]).toMatch(/^cat\.png\s+img-1\s+image 640x480\s+1\.5 KiB\s+1/);
    expect(api.calls('GET /v1/files')[0]?.query.get('pool')).toBe('Family');
  });

  it("lists a folder's files with their path inside it", async () => {
    api.on('GET /v1/files/folder', {
      body: {
        folder,
        files: [file({ folder: 'folder-1', relativePath: 'day 1/raw', name: 'a.raw', have: true })],
      },
    });
    const { code, stdout } = await cli('files', 'Family', 'folder-1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Trip\/ {2}12 files, 3\.0 MiB, 3 here\n/);
    expect(stdout).toMatch(/day 1\/raw\/a\.raw\s+file-1\s+file\s+1\.5 KiB\s+1\s+yes/);
    expect(api.calls('GET /v1/files/folder')[0]?.query.get('folder')).toBe('folder-1');
  });
});

describe('poolnet download of a folder', () => {
  it('[DIR-CLI] a folder id without --all or --missing is a usage error that explains them', async () => {
    api.on('POST /v1/files/download', {
      status: 400,
      body: {
        error: {
          code: 'IS_FOLDER',
          message:
            'folder-1 is a folder: download it with --all (every file) or --missing (the files this device does not have)',
        },
      },
    });
    const { code, stderr } = await cli('download', 'Family', 'folder-1');
    expect(code).toBe(64);
    expect(stderr).toContain('--all (every file) or --missing');
    expect(stderr).toContain('usage: poolnet download POOL ID');

    const both = await cli('download', 'Family', 'folder-1', '--all', '--missing');
    expect(both.code).toBe(64);
    expect(api.calls('POST /v1/files/download-folder')).toEqual([]);
  });

  it('asks for the mode and target, sums up, and exits 1 when a file failed', async () => {
    api.on('POST /v1/files/download-folder', {
      body: {
        folder,
        path: '/t/Trip',
        files: [
          {
            id: 'a',
            name: 'a',
            relativePath: '',
            outcome: 'fetched',
            path: '/t/Trip/a',
            sha256: 'x',
            error: null,
          },
          {
            id: 'b',
            name: 'b',
            relativePath: 'd',
            outcome: 'kept',
            path: '/t/Trip/d/b',
            sha256: 'y',
            error: null,
          },
          {
            id: 'c',
            name: 'c',
            relativePath: 'd',
            outcome: 'failed',
            path: null,
            sha256: null,
            error: 'disk full',
          },
        ],
      },
    });
    const { code, stdout, stderr } = await cli(
      'download',
      'Family',
      'folder-1',
      '--missing',
      '--to',
      '/t',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('folder Trip in /t/Trip: 1 fetched, 1 already here\n');
    expect(stderr).toBe('failed d/c: disk full\n');
    expect(api.calls('POST /v1/files/download-folder')[0]?.body).toEqual({
      pool: 'Family',
      folder: 'folder-1',
      mode: 'missing',
      to: '/t',
    });
  });
});

describe('poolnet downloads', () => {
  const record = (fields: Partial<DownloadRecord>): DownloadRecord => ({
    file: 'f',
    pool: 'pool-family-0001',
    name: 'a.bin',
    size: 2048,
    folder: null,
    path: '/d/a.bin',
    sha256: 'ab',
    startedAt: NOW - 60_000,
    finishedAt: NOW - 30_000,
    state: 'done',
    error: null,
    auto: false,
    ...fields,
  });

  it('lists past downloads, newest first as the daemon gives them, with the error of a failed one', async () => {
    api.on('GET /v1/downloads', {
      body: {
        downloads: [
          record({ name: 'b.bin', state: 'failed', path: null, error: 'no seeder' }),
          record({ name: 'cat.png', auto: true }),
        ],
      },
    });
    const { code, stdout } = await cli('downloads');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WHEN\s+STATE\s+NAME\s+SIZE\s+POOL\s+PATH \/ ERROR$/);
    expect(lines[1]).toMatch(/^17:59\s+failed\s+b\.bin\s+2\.0 KiB\s+pool-fam\s+no seeder$/);
    expect(lines[2]).toMatch(
      /^17:59\s+done \(auto\)\s+cat\.png\s+2\.0 KiB\s+pool-fam\s+\/d\/a\.bin$/,
    );

    const one = await cli('downloads', 'Family', '--limit', '5', '--json');
    expect(JSON.parse(one.stdout).downloads).toHaveLength(2);
    const query = api.calls('GET /v1/downloads')[1]?.query;
    expect([query?.get('pool'), query?.get('limit')]).toEqual(['Family', '5']);
    expect((await cli('downloads', '--limit', 'x')).code).toBe(64);
  });
});

describe('poolnet up --auto-fetch-images --cache-size', () => {
  it('passes the sizes on, and refuses one it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-cli-up-'));
    try {
      const calls: Array<Parameters<RunDaemon>[0]> = [];
      const runDaemon: RunDaemon = (options) => {
        calls.push(options);
        return Promise.resolve({ port: 1, close: () => Promise.resolve() });
      };
      const argv = ['up', '--server', 'http://127.0.0.1:8080', '--data', dir];
      const run = startCli([...argv, '--auto-fetch-images', '2MiB', '--cache-size', '1GiB'], {
        loadDaemon: () => Promise.resolve(runDaemon),
      });
      await run.stdout.waitFor('\n');
      run.stop();
      expect(await run.exit).toBe(0);
      expect(calls[0]?.autoFetchImageBytes).toBe(2 * 1024 * 1024);
      expect(calls[0]?.cacheBytes).toBe(1024 * 1024 * 1024);
      expect((await runCli([...argv, '--auto-fetch-images', 'lots'])).code).toBe(64);
      expect((await runCli([...argv, '--cache-size', '-3'])).code).toBe(64);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads sizes with binary units', () => {
    expect(parseBytes('0')).toBe(0);
    expect(parseBytes('1500')).toBe(1500);
    expect(parseBytes('16MiB')).toBe(16 * 1024 * 1024);
    expect(parseBytes('16m')).toBe(16 * 1024 * 1024);
    expect(parseBytes('2 KB')).toBe(2048);
    expect(parseBytes('1G')).toBe(1024 ** 3);
    expect(parseBytes('-1')).toBeUndefined();
    expect(parseBytes('1.5M')).toBeUndefined();
    expect(parseBytes('12 parsecs')).toBeUndefined();
  });
});
