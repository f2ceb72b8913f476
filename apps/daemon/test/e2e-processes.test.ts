/**
 * The whole thing as a user runs it: `poolnet server` and two `poolnet up` daemons as separate
 * processes, every step a `poolnet` command (the real bin), chat over a direct TCP + TLS link
 * between the two daemon processes, history read back after one daemon is killed and started
 * again, and a third daemon without TCP that joins over WebRTC.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, eventually } from './fixture.js';
import { PoolnetProcesses } from './processes.js';

const processes = new PoolnetProcesses();
let root: string;
let serverUrl: string;

const poolnet = (dataDir: string, ...args: string[]): Promise<Json> => processes.run(dataDir, args);

function up(dataDir: string, env?: Record<string, string>) {
  return processes.daemon(serverUrl, dataDir, env);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'poolnet-e2e-'));
  serverUrl = await processes.server(root);
});

afterAll(async () => {
  processes.killAll();
  await rm(root, { recursive: true, force: true });
});

describe('poolnet, end to end in separate processes', () => {
  it('[E2E1] register, create a pool, invite, join, chat both ways, and history after a daemon is killed and restarted', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await up(a);
    const bDaemon = await up(b);

    const ada = await poolnet(a, 'register', '--name', 'Ada', '--device', 'ada-laptop');
    expect(ada).toMatchObject({ displayName: 'Ada', deviceName: 'ada-laptop' });
    const { pool } = await poolnet(a, 'pool', 'create', 'Family');
    const invite = await poolnet(a, 'pool', 'invite', 'Family', '--expires', '1h', '--uses', '3');
    expect(invite.link).toContain('/join#');
    await poolnet(b, 'register', '--name', 'Bob', '--device', 'bob-pc');
    const joined = await poolnet(b, 'pool', 'join', invite.link);
    expect(joined.pool).toMatchObject({ id: pool.id, name: 'Family' });

    const linked = async (dir: string, transport = 'tcp', peer?: string) =>
      eventually(async () => {
        const status = await poolnet(dir, 'status');
        const p = status.pools.find((x: Json) => x.id === pool.id);
        return (
          p?.joined &&
          p.links.some(
            (l: Json) => l.transport === transport && (peer === undefined || l.peer === peer),
          )
        );
      }, `a ${transport} link in the pool`);
    await linked(a);
    await linked(b);

    await poolnet(a, 'send', 'Family', 'hello', 'from', 'Ada');
    await eventually(async () => {
      const history = await poolnet(b, 'history', 'Family');
      return history.messages.some(
        (m: Json) => m.text === 'hello from Ada' && m.authorName === 'Ada',
      );
    }, 'Bob sees Ada');
    await poolnet(b, 'send', pool.id, 'hi Ada');
    await eventually(async () => {
      const history = await poolnet(a, 'history', 'Family');
      return history.messages.some((m: Json) => m.text === 'hi Ada' && !m.mine);
    }, 'Ada sees Bob');

    const members = await poolnet(a, 'pool', 'members', 'Family');
    expect(members.members.map((m: Json) => m.displayName).sort()).toEqual(['Ada', 'Bob']);

    // Bob's daemon dies hard and comes back: history is on disk, chat goes on.
    bDaemon.child.kill('SIGKILL');
    await new Promise((resolve) => bDaemon.child.once('exit', resolve));
    await up(b);
    const kept = await poolnet(b, 'history', 'Family');
    expect(kept.messages.map((m: Json) => m.text)).toEqual(['hello from Ada', 'hi Ada']);
    await linked(b);
    await poolnet(a, 'send', 'Family', 'welcome back');
    await eventually(async () => {
      const history = await poolnet(b, 'history', 'Family', '--limit', '1');
      return history.messages[0]?.text === 'welcome back';
    }, 'Bob gets the message after his restart');

    // A device whose TCP is off (blocked, or a browser) still links, over WebRTC.
    const c = join(root, 'c');
    await up(c, { POOLNET_TCP: 'off' });
    const cat = await poolnet(c, 'register', '--name', 'Cat', '--device', 'cat-phone');
    await poolnet(c, 'pool', 'join', invite.link);
    await linked(c, 'webrtc');
    await linked(a, 'webrtc', cat.deviceId);
    await poolnet(c, 'send', 'Family', 'no TCP here');
    await eventually(async () => {
      const history = await poolnet(a, 'history', 'Family', '--limit', '1');
      return history.messages[0]?.text === 'no TCP here';
    }, 'Ada gets the message sent over WebRTC');
  }, 180_000);
});
