import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { STATUS } from './fixtures.js';
import { runCli } from './run-cli.js';

const hint = (dir: string) =>
  `no daemon running for ${dir}: start it with \`poolnet up --data ${dir} --server URL\``;

describe('poolnet (help and usage)', () => {
  it('prints the top-level help with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: poolnet COMMAND');
    for (const name of ['server', 'up', 'register', 'device code', 'pool invite', 'chat']) {
      expect(stdout).toContain(`  ${name}`);
    }
  });

  it('prints the help to stderr and exits 64 without a command', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage: poolnet COMMAND');
  });

  it("prints a command's help, also through `poolnet help`", async () => {
    for (const argv of [
      ['pool', 'invite', '--help'],
      ['help', 'pool', 'invite'],
      ['pool', 'invite', '-h'],
    ]) {
      const { code, stdout } = await runCli(argv);
      expect(code).toBe(0);
      expect(stdout).toContain('usage: poolnet pool invite POOL [--expires 1h] [--uses N]');
      expect(stdout).toContain('--expires DURATION');
      expect(stdout).toContain('--data DIR');
    }
  });

  it("lists a group's commands for `poolnet pool --help`, and exits 64 for `poolnet pool`", async () => {
    const help = await runCli(['pool', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pool members POOL');
    expect(help.stdout).not.toContain('register');
    const bare = await runCli(['pool']);
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('pool ls');
  });

  it('refuses an unknown flag with exit 64 and a readable message', async () => {
    const { code, stdout, stderr } = await runCli(['status', '--bogus']);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown option --bogus');
    expect(stderr).toContain('usage: poolnet status');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('puts usage errors in the JSON document with --json', async () => {
    const { code, stdout } = await runCli(['pool', 'ls', '--json', '--frob']);
    expect(code).toBe(64);
    expect(JSON.parse(stdout)).toEqual({
      error: { code: 'USAGE', message: 'unknown option --frob' },
    });
  });

  it('refuses unknown commands, missing arguments and option values', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(64);
    expect((await runCli(['pool', 'frob'])).code).toBe(64);
    const missing = await runCli(['pool', 'invite']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('missing arguments');
    const value = await runCli(['status', '--data']);
    expect(value.code).toBe(64);
    expect(value.stderr).toContain('option --data needs a value');
    const extra = await runCli(['pool', 'leave', 'a', 'b']);
    expect(extra.code).toBe(64);
    expect(extra.stderr).toContain("unexpected argument 'b'");
  });
});

describe('poolnet (finding the daemon)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-cli-none-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 with a one-line hint when no daemon runs for the data directory', async () => {
    const { code, stdout, stderr } = await runCli(['status', '--data', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([`poolnet: ${hint(dir)}`]);
  });

  it('reports the missing daemon as JSON with --json', async () => {
    const { code, stdout } = await runCli(['pool', 'ls', '--json', '--data', dir]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'NO_DAEMON', message: hint(dir) } });
  });

  it('takes the data directory from POOLNET_DATA, else ./poolnet-data', async () => {
    const fromEnv = await runCli(['status'], { env: { POOLNET_DATA: dir } });
    expect(fromEnv.stderr).toContain(hint(dir));
    const byDefault = await runCli(['status']);
    expect(byDefault.stderr).toContain(hint('./poolnet-data'));
  });

  it('exits 2 when daemon.json names a port nobody listens on (a crashed daemon)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await writeFile(join(dir, 'daemon.json'), JSON.stringify({ port, pid: 1, startedAt: 0 }));
    await writeFile(join(dir, 'api-token'), 'token\n');
    const { code, stderr } = await runCli(['status', '--data', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(hint(dir));
  });
});

describe('poolnet (daemon errors)', () => {
  let api: FakeApi;
  beforeEach(async () => {
    api = await FakeApi.start();
  });
  afterEach(async () => {
    await api.close();
  });

  it("exits 1 with the daemon's message when it refuses, without a stack trace", async () => {
    api.on('POST /v1/pools/leave', {
      status: 404,
      body: { error: { code: 'UNKNOWN_POOL', message: 'no pool named "fam": Family, Famous' } },
    });
    const { code, stdout, stderr } = await runCli(['pool', 'leave', 'fam', '--data', api.dataDir]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('poolnet: no pool named "fam": Family, Famous\n');
  });

  it('passes the error code through with --json', async () => {
    api.on('GET /v1/status', {
      status: 409,
      body: { error: { code: 'NOT_SIGNED_IN', message: 'not signed in' } },
    });
    const { code, stdout } = await runCli(['status', '--json', '--data', api.dataDir]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      error: { code: 'NOT_SIGNED_IN', message: 'not signed in' },
    });
  });

  it('shows the stack only with POOLNET_DEBUG=1', async () => {
    api.on('GET /v1/status', { status: 502, body: { error: { code: 'X', message: 'boom' } } });
    const { stderr } = await runCli(['status', '--data', api.dataDir], {
      env: { POOLNET_DEBUG: '1' },
    });
    expect(stderr).toContain('poolnet: boom');
    expect(stderr).toMatch(/CliError: boom\n\s+at /);
  });

  it('accepts the common options before the command name', async () => {
    api.on('GET /v1/status', { body: STATUS });
    const { code, stdout } = await runCli(['--data', api.dataDir, '--json', 'status']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(STATUS);
  });
});

describe('bin/poolnet.js', () => {
  it('runs the real command: --help exits 0 with the usage text', () => {
    const bin = fileURLToPath(new URL('../../bin/poolnet.js', import.meta.url));
    const result = spawnSync(process.execPath, [bin, '--help'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('usage: poolnet COMMAND');
    expect(result.stdout).toContain('exit codes: 0 ok');
  });
});
