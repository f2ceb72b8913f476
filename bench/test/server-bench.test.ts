import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');

// That the server benchmark runs end to end and prints its line, not how fast the server is:
// `npm run bench:server -- --nodes 10000` is the real run (bench/README.md).
describe('bench:server', () => {
  it('joins 20 nodes through a server child and prints one JSON line with the four figures', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--nodes', '20', '--concurrency', '5'],
      { cwd: BENCH, timeout: 30_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['nodes', 'joinsPerSec', 'rssMB', 'p99UpdateMs']);
    expect(line.nodes).toBe(20);
    for (const key of ['joinsPerSec', 'rssMB', 'p99UpdateMs']) {
      expect(line[key], key).toEqual(expect.any(Number));
      expect(line[key] as number, key).toBeGreaterThan(0);
    }
  });
});
