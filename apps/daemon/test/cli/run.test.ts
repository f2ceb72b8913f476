import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunDaemon } from '../../src/cli/io.js';
import { freePort } from '../fixture.js';
import { runCli, startCli } from './run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poolnet-cli-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('poolnet up', () => {
  it('runs the daemon until stopped, then closes it', async () => {
    const calls: Array<Parameters<RunDaemon>[0]> = [];
    let closed = 0;
    const runDaemon: RunDaemon = (options) => {
      calls.push(options);
      options.log?.('daemon log line');
      return Promise.resolve({ port: 43_123, close: () => Promise.resolve(void (closed += 1)) });
    };
    const run = startCli(['up', '--server', 'http://127.0.0.1:8080', '--data', dir], {
      loadDaemon: () => Promise.resolve(runDaemon),
    });
    await run.stdout.waitFor('\n');
    expect(run.stdout.text).toBe(`poolnet daemon for ${dir} on http://127.0.0.1:43123\n`);
    expect(calls).toEqual([
      { serverUrl: 'http://127.0.0.1:8080', dataDir: resolve(dir), log: expect.any(Function) },
    ]);
    expect(run.stderr.text).toBe('daemon log line\n');
    expect(closed).toBe(0);
    run.stop('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(closed).toBe(1);
  });

  it('needs an http(s) --server', async () => {
    expect((await runCli(['up', '--data', dir])).code).toBe(64);
    const ftp = await runCli(['up', '--server', 'ftp://x', '--data', dir]);
    expect(ftp.code).toBe(64);
    expect(ftp.stderr).toContain('not an http(s) URL');
  });

  it("exits 1 with the daemon's reason when it does not start", async () => {
    const failing: RunDaemon = () =>
      Promise.reject(
        Object.assign(new Error('a daemon already runs'), { code: 'ALREADY_RUNNING' }),
      );
    const { code, stdout } = await runCli(
      ['up', '--server', 'http://127.0.0.1:8080', '--data', dir, '--json'],
      { loadDaemon: () => Promise.resolve(failing) },
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      error: {
        code: 'ALREADY_RUNNING',
        message: 'the daemon did not start: a daemon already runs',
      },
    });
  });
});

function get(url: string): Promise<number> {
  return new Promise((done, fail) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    })
      .on('error', fail)
      .end();
  });
}

describe('poolnet server', () => {
  it('runs the sync server on the flags until stopped', async () => {
    const run = startCli([
      'server',
      ...['--port', '0', '--stun-port', '0', '--host', '127.0.0.1'],
      ...['--data', dir, '--log-level', 'silent', '--origin', 'http://localhost:5173'],
    ]);
    await run.stdout.waitFor('  data: ');
    const url = /poolnet sync server: (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout.text)?.[1];
    expect(url).toBeDefined();
    expect(run.stdout.text).toContain(`  data: ${dir}`);
    // An API path: others may be the web UI's app routes (when apps/web/dist is built).
    expect(await get(`${url}/v1/no-such-route`)).toBe(404);
    run.stop();
    expect(await run.exit).toBe(0);
    expect(run.stdout.text).toContain('SIGINT: closing');
  });

  it('refuses a bad setting with exit 64 and names it', async () => {
    const { code, stderr } = await runCli(['server', '--port', 'eighty', '--data', dir]);
    expect(code).toBe(64);
    expect(stderr).toContain('invalid server configuration: port');
  });
});

describe('poolnet start (the README quick start)', () => {
  it('runs a sync server and a daemon and prints the app in both modes', async () => {
    // The app's build, made when stale (as `npm start` does first).
    const build = spawnSync(process.execPath, ['apps/web/scripts/build-if-stale.mjs'], {
      cwd: resolve(import.meta.dirname, '../../../..'),
      stdio: 'ignore',
    });
    expect(build.status).toBe(0);
    const port = await freePort();
    const run = startCli(['start', '--port', String(port), '--data', dir], {
      loadDaemon: async () => (await import('../../src/cli/daemon-entry.js')).runDaemon,
    });
    await run.stdout.waitFor('Or join from any browser tab');
    const ui = /Open the app: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(
      run.stdout.text,
    )?.[1];
    expect(ui).toBeDefined();
    expect(run.stdout.text).toContain(`http://localhost:${String(port)}/`);
    const config = async (url: string): Promise<unknown> => (await fetch(url)).json();
    // The daemon serves the app in desktop mode; the sync server serves the in-page node.
    expect(await config(`${new URL(ui ?? '').origin}/app-config.json`)).toEqual({
      mode: 'desktop',
    });
    expect(await config(`http://127.0.0.1:${String(port)}/app-config.json`)).toMatchObject({
      mode: 'browser',
    });
    run.stop();
    expect(await run.exit).toBe(0);
  });
});
