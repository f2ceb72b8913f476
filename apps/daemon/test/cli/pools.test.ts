import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { FAMILY, MEMBERS, NOW, WORK } from './fixtures.js';
import { runCli } from './run-cli.js';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(async () => {
  await api.close();
});

const cli = (...argv: string[]) => runCli([...argv, '--data', api.dataDir], { now: () => NOW });

describe('poolnet pool …', () => {
  it('creates a pool named by the remaining words', async () => {
    api.on('POST /v1/pools/create', { body: { pool: FAMILY } });
    const { code, stdout } = await cli('pool', 'create', 'Family', 'and', 'friends');
    expect(code).toBe(0);
    expect(api.calls('POST /v1/pools/create')[0]?.body).toEqual({ name: 'Family and friends' });
    expect(stdout).toContain('created pool Family (pool-family-0001)');
  });

  it('lists pools in a table', async () => {
    api.on('GET /v1/pools', { body: { pools: [FAMILY, WORK] } });
    const { code, stdout } = await cli('pool', 'ls');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ID\s+MEMBERS\s+ONLINE\s+UNREAD\s+ROLE\s+HOME$/);
    expect(lines[1]?.split(/\s{2,}/)).toEqual(['Family', 'pool-fam', '3', '2', '5', 'owner', '*']);
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['Work', 'pool-wor', '12', '0', '0', 'member']);
  });

  it('prints the answer with --json, and a hint when there are no pools', async () => {
    api.on('GET /v1/pools', { body: { pools: [FAMILY] } });
    expect(JSON.parse((await cli('pool', 'ls', '--json')).stdout)).toEqual({ pools: [FAMILY] });
    api.on('GET /v1/pools', { body: { pools: [] } });
    expect((await cli('pool', 'ls')).stdout).toContain('poolnet pool create NAME');
  });

  it('makes an invite with the duration in seconds and prints the link', async () => {
    api.on('POST /v1/pools/invite', (request) => ({
      body: {
        link: 'http://127.0.0.1:8080/join#TOKEN',
        inviteId: 'inv-1',
        expiresAt: NOW + 7 * 86_400_000,
        maxUses: (request.body as { uses?: number }).uses ?? 1,
      },
    }));
    const { code, stdout } = await cli(
      'pool',
      'invite',
      'Family',
      '--expires',
      '7d',
      '--uses',
      '3',
    );
    expect(code).toBe(0);
    expect(api.calls('POST /v1/pools/invite')[0]?.body).toEqual({
      pool: 'Family',
      expiresSeconds: 604_800,
      uses: 3,
    });
    expect(stdout.split('\n')[0]).toBe('http://127.0.0.1:8080/join#TOKEN');
    expect(stdout).toContain('(7d), 3 uses');
  });

  it('leaves the expiry and uses to the daemon when they are not given', async () => {
    api.on('POST /v1/pools/invite', {
      body: { link: 'http://x/join#T', inviteId: 'i', expiresAt: NOW + 3_600_000, maxUses: 1 },
    });
    await cli('pool', 'invite', 'Family');
    expect(api.calls('POST /v1/pools/invite')[0]?.body).toEqual({ pool: 'Family' });
  });

  it('refuses a bad duration or use count with exit 64 and sends nothing', async () => {
    for (const argv of [
      ['--expires', '10'],
      ['--expires', '1y'],
      ['--expires', '0m'],
      ['--uses', '0'],
      ['--uses', 'two'],
    ]) {
      const { code, stderr } = await cli('pool', 'invite', 'Family', ...argv);
      expect(code).toBe(64);
      expect(stderr).toContain(argv[0]);
    }
    expect(api.requests).toEqual([]);
  });

  it('joins with a link and leaves', async () => {
    api.on('POST /v1/pools/join', { body: { pool: WORK } });
    api.on('POST /v1/pools/leave', { body: { ok: true } });
    const join = await cli('pool', 'join', 'http://127.0.0.1:8080/join#TOKEN');
    expect(join.stdout).toContain('joined pool Work');
    expect(api.calls('POST /v1/pools/join')[0]?.body).toEqual({
      link: 'http://127.0.0.1:8080/join#TOKEN',
    });
    const leave = await cli('pool', 'leave', 'Work');
    expect(leave.stdout).toBe('left pool Work\n');
    expect(api.calls('POST /v1/pools/leave')[0]?.body).toEqual({ pool: 'Work' });
  });

  it('lists members with their devices and online dots', async () => {
    api.on('GET /v1/pools/members', { body: { members: MEMBERS } });
    const { code, stdout } = await cli('pool', 'members', 'Family');
    expect(code).toBe(0);
    expect(api.calls('GET /v1/pools/members')[0]?.query.get('pool')).toBe('Family');
    expect(stdout.split('\n')).toEqual([
      'Ada  owner',
      '  ●  laptop  desktop',
      '  ○  phone   mobile',
      'Bob  member',
      '  ●  desk  desktop',
      '',
    ]);
    const json = await cli('pool', 'members', 'Family', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ members: MEMBERS });
  });
});
