/**
 * Driving daemons as a user does: one `poolnet <command> --data DIR --json` process per step
 * (apps/daemon/bin/poolnet.js), plus direct reads of the local API for what has no command
 * (`GET /v1/files/stats`), with the port from DIR/daemon.json and the token from DIR/api-token.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const POOLNET_BIN = fileURLToPath(
  new URL('../../apps/daemon/bin/poolnet.js', import.meta.url),
);

/** Every daemon and CLI process: WebRTC on loopback only, no colours. */
export const POOLNET_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  POOLNET_WEBRTC_BIND: '127.0.0.1',
  NO_COLOR: '1',
};

/**
 * Runs `poolnet <args> --data dataDir --json` and parses its one JSON document. The document
 * is trusted to have the shape apps/daemon/API.md gives (`T`), not re-validated.
 */
export function poolnet<T>(
  dataDir: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [POOLNET_BIN, ...args, '--data', dataDir, '--json'],
      { env: POOLNET_ENV, timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = error.killed
            ? `no answer within ${timeoutMs} ms`
            : `${stdout.trim()} ${stderr.trim()}`.trim() || error.message;
          return reject(new Error(`poolnet ${args.join(' ')} (${dataDir}): ${detail}`));
        }
        try {
          resolve(JSON.parse(stdout) as T);
        } catch (cause) {
          reject(new Error(`poolnet ${args.join(' ')}: not JSON: ${stdout}`, { cause }));
        }
      },
    );
  });
}

/** GET on a daemon's local API (routes without a CLI command). */
export async function localGet<T>(dataDir: string, path: string): Promise<T> {
  const { port } = JSON.parse(await readFile(join(dataDir, 'daemon.json'), 'utf8')) as {
    port: number;
  };
  const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`GET ${path} (${dataDir}): ${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false. */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
