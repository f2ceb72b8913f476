/**
 * Processes inside the harness's namespaces: `poolnet server`, coturn and `poolnet up` in the
 * background, one-shot `poolnet … --json` commands parsed. Each runs as `ip netns exec NS …`,
 * which execs the program itself, so the child's pid is the program's and a kill reaches it.
 * POOLNET_E2E_LOGS=1 copies their output to the test's stderr.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI JSON, checked by expect
export type Json = any;

const BIN = fileURLToPath(new URL('../../bin/poolnet.js', import.meta.url));
/** No POOLNET_WEBRTC_BIND: the daemons gather candidates on their namespace's interfaces. */
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete ENV.POOLNET_WEBRTC_BIND;
delete ENV.POOLNET_TCP_BIND;

export class NsProcesses {
  private readonly children: ChildProcess[] = [];
  /** Everything each background process printed, by label (for failure messages). */
  readonly output = new Map<string, string>();

  /** A long-running program in `ns`; resolves when its output matches `ready`. */
  background(
    label: string,
    ns: string,
    argv: readonly string[],
    ready: RegExp,
    timeoutMs = 30_000,
  ): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    this.output.set(label, '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} not ready in ${timeoutMs} ms: ${this.output.get(label)}`)),
        timeoutMs,
      );
      const onData = (d: Buffer) => {
        const text = (this.output.get(label) ?? '') + d.toString();
        this.output.set(label, text.length > 200_000 ? text.slice(-100_000) : text);
        if (process.env.POOLNET_E2E_LOGS) process.stderr.write(`[${label}] ${d.toString()}`);
        const match = ready.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited ${String(code)}: ${this.output.get(label)}`));
      });
    });
  }

  /**
   * `poolnet server` in `ns` on `host`:`port`, its data in ROOT/server and its config in
   * ROOT/server.json: `config` (rp, turn, …) plus what every harness server has: the STUN
   * responder on two ports of `host`, sign-up limits open enough for the test's accounts, and
   * a quiet log.
   */
  async server(
    ns: string,
    host: string,
    port: number,
    root: string,
    config: Record<string, unknown>,
  ): Promise<void> {
    const file = join(root, 'server.json');
    const open = { burst: 1000, perMinute: 1000 };
    await writeFile(
      file,
      JSON.stringify({
        stun: { host, port: 3479, alternatePort: 3480 },
        ...config,
        rateLimits: { register: open, 'sign-in': open, 'add-device': open, join: open },
        logLevel: 'warn',
      }),
    );
    await this.background(
      'server',
      ns,
      [
        process.execPath,
        BIN,
        'server',
        '--host',
        host,
        '--port',
        String(port),
        '--data',
        join(root, 'server'),
        '--config',
        file,
      ],
      /poolnet sync server: http/,
    );
  }

  /** `poolnet up` in `ns` on `dataDir`. */
  daemon(label: string, ns: string, serverUrl: string, dataDir: string) {
    return this.background(
      label,
      ns,
      [process.execPath, BIN, 'up', '--server', serverUrl, '--data', dataDir],
      /poolnet daemon for/,
    );
  }

  /** `poolnet ARGS --data DIR` in `ns`: stdout as text (exit 0 required). */
  text(ns: string, dataDir: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'ip',
        ['netns', 'exec', ns, process.execPath, BIN, ...args, '--data', dataDir],
        { env: ENV, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) return reject(new Error(`poolnet ${args.join(' ')}: ${stdout} ${stderr}`));
          resolve(stdout);
        },
      );
    });
  }

  /** `poolnet ARGS --data DIR --json` in `ns`, parsed. */
  async json(ns: string, dataDir: string, args: readonly string[], timeoutMs?: number) {
    const stdout = await this.text(ns, dataDir, [...args, '--json'], timeoutMs);
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as Json;
  }

  killAll(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
