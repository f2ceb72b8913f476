import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');

// That the transfer benchmark's Poolnet run works end to end (a sync server and three daemon
// processes driven by the CLI, both downloads verified) and prints its line, not how fast it
// is: `npm run bench:transfer -- --receivers 9 --size 1GiB` is the real run (bench/README.md).
describe('bench:transfer', () => {
  it('sends 4 MiB from a seeder daemon to 2 receiver daemons and prints one JSON line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'transfer/main.ts',
        '--receivers',
        '2',
        '--size',
        '4MiB',
        '--no-webtorrent',
        '--no-tcp',
      ],
      { cwd: BENCH, timeout: 40_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(line)).toEqual([
      'receivers',
      'sizeBytes',
      'poolnetMs',
      'webtorrentMs',
      'tcpCopyMs',
      'vsWebtorrent',
      'vsTcp',
      'seederPeakRssMB',
      'receiverPeakRssMB',
    ]);
    expect(line.receivers).toBe(2);
    expect(line.sizeBytes).toBe(4 * 2 ** 20);
    expect(line.poolnetMs as number).toBeGreaterThan(0);
    expect(line).toMatchObject({ webtorrentMs: null, tcpCopyMs: null, vsWebtorrent: null });
    for (const key of ['seederPeakRssMB', 'receiverPeakRssMB']) {
      expect(line[key], key).toEqual(expect.any(Number));
      expect(line[key] as number, key).toBeGreaterThan(0);
    }
  }, 45_000);
});
