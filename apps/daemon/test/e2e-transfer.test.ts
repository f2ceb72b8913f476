/**
 * File transfer as users run it: a sync server and 10 daemons as separate processes, one
 * offers a random file, all the others download it; every copy's SHA-256 is the original's,
 * relays serve part of it from their caches, and downloads survive relays being killed.
 * POOLNET_E2E_MIB sets the file size (default 200 MiB, as the issue asks).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, eventually } from './fixture.js';
import { PoolnetProcesses } from './processes.js';
import {
  awaitLinked,
  awaitOffer,
  randomFile,
  sha256Of,
  startServerProcess,
  transferStats as stats,
} from './transfer-helpers.js';

const processes = new PoolnetProcesses();
const MIB = Number(process.env.POOLNET_E2E_MIB ?? 200);
const DAEMONS = 10;
let root: string;
let serverUrl: string;

const poolnet = (dataDir: string, ...args: string[]): Promise<Json> =>
  processes.run(dataDir, args, 600_000);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-xfer-'));
  serverUrl = await startServerProcess(processes, root);
}, 60_000);

afterAll(async () => {
  processes.killAll();
  await rm(root, { recursive: true, force: true });
});

describe(`file transfer between ${DAEMONS} daemon processes`, () => {
  it(`[F3] a ${MIB} MiB file reaches all nine others with the right hash, partly from relay caches; a second file survives three relays being killed`, async () => {
    const dirs = Array.from({ length: DAEMONS }, (_, i) => join(root, `d${i}`));
    const procs = await Promise.all(dirs.map((dir) => processes.daemon(serverUrl, dir)));
    for (const [i, dir] of dirs.entries()) await poolnet(dir, 'register', '--name', `User${i}`);
    const [seeder, ...receivers] = dirs as [string, ...string[]];
    const { pool } = await poolnet(seeder, 'pool', 'create', 'Big');
    const invite = await poolnet(seeder, 'pool', 'invite', 'Big', '--uses', String(DAEMONS));
    for (const dir of receivers) await poolnet(dir, 'pool', 'join', invite.link);
    for (const dir of dirs) await awaitLinked(processes, dir, pool.id);

    const path = join(root, 'big.bin');
    const original = await randomFile(path, MIB * 1024 * 1024);
    const { file } = await poolnet(seeder, 'share', 'Big', path);
    for (const dir of receivers) await awaitOffer(processes, dir, 'Big', file.id);
    // Two waves: the first fills the relays' caches on its paths, the second finds them.
    const fetch = async (dir: string) => {
      const result = await poolnet(dir, 'download', 'Big', file.id, '--to', join(dir, 'got'));
      expect(result.sha256).toBe(original);
      expect(await sha256Of(result.path)).toBe(original);
    };
    await Promise.all(receivers.slice(0, 4).map(fetch));
    await Promise.all(receivers.slice(4).map(fetch));
    const all = await Promise.all(dirs.map((dir) => stats(dir, pool.id)));
    const fromRelays = all.reduce((n: number, s: Json) => n + (s.chunksServedAsRelay ?? 0), 0);
    expect(fromRelays).toBeGreaterThan(0);

    // Churn: a second file; once three non-seeders are relaying, they are killed.
    const path2 = join(root, 'second.bin');
    const second = await randomFile(path2, Math.max(16, MIB / 4) * 1024 * 1024);
    const { file: file2 } = await poolnet(seeder, 'share', 'Big', path2);
    for (const dir of receivers) await awaitOffer(processes, dir, 'Big', file2.id);
    const before = new Map<string, number>();
    for (const dir of receivers) before.set(dir, (await stats(dir, pool.id)).chunksForwarded ?? 0);
    const downloads = new Map(
      receivers.map((dir) => [
        dir,
        poolnet(dir, 'download', 'Big', file2.id, '--to', join(dir, 'got2')).then(
          (r: Json) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
      ]),
    );
    const relays = await eventually(
      async () => {
        const busy: string[] = [];
        for (const dir of receivers) {
          const forwarded = (await stats(dir, pool.id)).chunksForwarded ?? 0;
          if (forwarded > (before.get(dir) ?? 0)) busy.push(dir);
        }
        return busy.length >= 3 ? busy.slice(0, 3) : undefined;
      },
      'three relays at work',
      120_000,
    );
    for (const dir of relays) procs[dirs.indexOf(dir)]?.child.kill('SIGKILL');
    for (const dir of receivers.filter((d) => !relays.includes(d))) {
      const outcome = await downloads.get(dir);
      expect(outcome?.ok, String(outcome && !outcome.ok ? outcome.e : '')).toBe(true);
      if (outcome?.ok) {
        expect(outcome.r.sha256).toBe(second);
        expect(await sha256Of(outcome.r.path)).toBe(second);
      }
    }
  }, 900_000);
});
