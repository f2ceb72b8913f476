/**
 * `poolnet` as separate processes, for the end-to-end tests: long-running commands (`server`,
 * `up`) in the background, one-shot commands with `--json` parsed. Loopback WebRTC only.
 * POOLNET_E2E_LOGS=1 copies the background processes' stderr to the test's.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Json, freePort } from './fixture.js';

const BIN = fileURLToPath(new URL('../bin/poolnet.js', import.meta.url));
const ENV = { ...process.env, POOLNET_WEBRTC_BIND: '127.0.0.1', NO_COLOR: '1' };

export class PoolnetProcesses {
  private readonly children: ChildProcess[] = [];

  /** Starts a long-running `poolnet` command; resolves when its stdout matches `ready`. */
  background(
    args: string[],
    ready: RegExp,
    env: Record<string, string> = {},
  ): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (process.env.POOLNET_E2E_LOGS) {
          process.stderr.write(`[${args.at(-1) ?? ''}] ${d.toString()}`);
        }
      });
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const match = ready.exec(out);
        if (match) resolve({ child, match });
      });
      child.once('exit', (code) =>
        reject(new Error(`poolnet ${args[0]} exited ${String(code)}: ${err}`)),
      );
    });
  }

  /**
   * Starts `poolnet server` on a free loopback port, its data in ROOT/server, STUN off (the
   * daemons and pages reach each other over loopback); `config` is a JSON config file to give
   * it. Resolves with its URL.
   */
  async server(root: string, config?: string): Promise<string> {
    const args = ['server', '--port', String(await freePort()), '--host', '127.0.0.1'];
    args.push('--data', join(root, 'server'), '--stun-port', '0');
    if (config !== undefined) args.push('--config', config);
    const { match } = await this.background(args, /(http:\/\/127\.0\.0\.1:\d+)/);
    return match[1] as string;
  }

  /** Starts `poolnet up` on `dataDir` against `serverUrl`; resolves once it is running. */
  daemon(serverUrl: string, dataDir: string, env?: Record<string, string>) {
    return this.background(
      ['up', '--server', serverUrl, '--data', dataDir],
      /poolnet daemon for/,
      env,
    );
  }

  /** Runs one `poolnet … --data DIR --json` command and parses what it prints. */
  run(dataDir: string, args: string[], timeoutMs = 30_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [BIN, ...args, '--data', dataDir, '--json'],
        { env: ENV, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) return reject(new Error(`poolnet ${args.join(' ')}: ${stdout} ${stderr}`));
          resolve(stdout.trim() === '' ? {} : JSON.parse(stdout));
        },
      );
    });
  }

  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
}
