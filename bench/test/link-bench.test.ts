import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');

// That bench:link runs every transport between two processes and prints its lines, not how
// fast they are: `npm run bench:link` (1 GiB) is the real run (bench/README.md).
describe('bench:link', () => {
  it('moves 4 MiB over each transport and prints one JSON line per transport', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'link/main.ts', '--size', '4MiB'],
      { cwd: BENCH, timeout: 80_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.transport)).toEqual(['tcp', 'auto', 'bare-datachannel', 'webrtc']);
    for (const line of lines) {
      expect(line.sizeBytes).toBe(4 * 2 ** 20);
      for (const key of ['MBps', 'rawTcpMBps', 'ratio']) {
        expect(line[key], key).toEqual(expect.any(Number));
        expect(line[key] as number, key).toBeGreaterThan(0);
      }
    }
    expect(lines[1]).toMatchObject({ carriedBy: 'tcp' });
    expect(lines[3]!.bareDatachannelMBps).toEqual(lines[2]!.MBps);
    expect(lines[3]!.vsBare).toEqual(expect.any(Number));
  }, 90_000);
});
