/**
 * What the file-transfer end-to-end tests share: random files with their hash, a file's
 * SHA-256, a daemon's transfer counters read from its local API, and a sync server process
 * with sign-up limits open enough for a test's many accounts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Json, eventually } from './fixture.js';
import type { PoolnetProcesses } from './processes.js';

/** Writes `bytes` random bytes to `path`; resolves with their SHA-256 (hex). */
export async function randomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = bytes; left > 0;) {
    const piece = randomBytes(Math.min(left, 1024 * 1024));
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
    left -= piece.length;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return hash.digest('hex');
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The daemon's file-transfer counters, from its local API. */
export async function transferStats(dataDir: string, pool: string): Promise<Json> {
  const { port } = JSON.parse(await readFile(join(dataDir, 'daemon.json'), 'utf8')) as {
    port: number;
  };
  const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  const res = await fetch(`http://127.0.0.1:${port}/v1/files/stats?pool=${pool}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return res.json();
}

/** Starts `poolnet server` on a free loopback port; resolves with its URL. */
export async function startServerProcess(
  processes: PoolnetProcesses,
  root: string,
): Promise<string> {
  // Many accounts from one address in a few seconds: beyond the default sign-up limits.
  const config = join(root, 'server.json');
  const open = { burst: 100, perMinute: 100 };
  await writeFile(
    config,
    JSON.stringify({ rateLimits: { register: open, 'sign-in': open, join: open } }),
  );
  return processes.server(root, config);
}

/** Waits until `poolnet files POOL` on `dir` lists `fileId`. */
export async function awaitOffer(
  processes: PoolnetProcesses,
  dir: string,
  pool: string,
  fileId: string,
): Promise<void> {
  await eventually(
    async () => {
      const { files } = await processes.run(dir, ['files', pool]);
      return files.some((f: Json) => f.id === fileId);
    },
    `the offer of ${fileId} on ${dir}`,
    60_000,
  );
}

/** Waits until the daemon on `dir` is placed in `poolId` with at least one link. */
export async function awaitLinked(
  processes: PoolnetProcesses,
  dir: string,
  poolId: string,
): Promise<void> {
  await eventually(
    async () => {
      const status = await processes.run(dir, ['status']);
      const p = status.pools.find((x: Json) => x.id === poolId);
      return p?.joined && p.links.length > 0;
    },
    `${dir} linked`,
    60_000,
  );
}
