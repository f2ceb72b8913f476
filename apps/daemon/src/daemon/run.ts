/**
 * `poolnet up`: one daemon on one data directory. Refuses to start when another live daemon
 * holds the directory, makes the local API token once, and leaves `daemon.json` (port, pid)
 * for the CLI to find it; a clean stop removes it.
 */
import { randomBytes } from 'node:crypto';
import type { TcpTransportOptions } from '@poolnet/transport-tcp';
import type { NodeWebRtcTransportOptions } from '@poolnet/transport-webrtc';
import { z } from 'zod';
import { Daemon } from './daemon.js';
import { DaemonError } from './errors.js';
import { startLocalApi } from './local-api.js';
import { DataDir, FILES } from './state-files.js';

export interface RunDaemonOptions {
  readonly serverUrl: string;
  readonly dataDir: string;
  readonly log?: (line: string) => void;
  /** WebRTC settings; default from POOLNET_WEBRTC_BIND (a bind address, for loopback tests). */
  readonly webrtc?: NodeWebRtcTransportOptions;
  /** Images up to this many bytes are fetched when offered (default 16 MiB; 0: never). */
  /** Bytes of relay cache per pool (default 256 MiB). */
  readonly cacheBytes?: number;
  readonly autoFetchImageBytes?: number;
}

export interface RunningDaemon {
  readonly port: number;
  readonly daemon: Daemon;
  /** The web UI with the API token in the fragment (never sent to a server, read by the page). */
  readonly uiUrl: string;
  close(): Promise<void>;
}

const daemonFile = z.object({ port: z.number(), pid: z.number(), startedAt: z.number() });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Data directories held by daemons of this process. */
const held = new Set<string>();

export async function runDaemon(options: RunDaemonOptions): Promise<RunningDaemon> {
  const log = options.log ?? (() => undefined);
  // Several comma-separated URLs: instances of one cluster, the first the account's.
  const serverUrls = options.serverUrl.split(',').map((text) => {
    try {
      const url = new URL(text.trim());
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      return url;
    } catch {
      throw new DaemonError('BAD_REQUEST', `--server must be an http(s) URL, not ${text}`);
    }
  });
  const serverUrl = serverUrls.map((u) => u.origin + u.pathname.replace(/\/+$/, '')).join(',');
  const dir = new DataDir(options.dataDir);
  await dir.ensure();
  const running = await dir
    .readJson(FILES.daemon, (v) => daemonFile.parse(v))
    .catch(() => undefined);
  if (held.has(dir.path) || (running && running.pid !== process.pid && alive(running.pid))) {
    throw new DaemonError(
      'ALREADY_RUNNING',
      `a daemon already runs on ${dir.path}${running ? ` (pid ${running.pid}, port ${running.port})` : ''}`,
    );
  }
  held.add(dir.path);
  try {
    return await start(dir, serverUrl, options, log);
  } catch (err) {
    held.delete(dir.path);
    throw err;
  }
}

async function start(
  dir: DataDir,
  serverUrl: string,
  options: RunDaemonOptions,
  log: (line: string) => void,
): Promise<RunningDaemon> {
  let token = (await dir.readText(FILES.apiToken))?.trim();
  if (!token) {
    token = randomBytes(32).toString('base64url');
    await dir.writeText(FILES.apiToken, `${token}\n`);
  }
  const bind = process.env.POOLNET_WEBRTC_BIND;
  const daemon = await Daemon.open({
    serverUrl,
    dataDir: dir.path,
    log,
    webrtc: options.webrtc ?? (bind ? { bindAddress: bind } : {}),
    tcp: tcpOptions(bind),
    // Fault injection for the end-to-end tests (e2e-faults F4): a peer that lies.
    corruptServedChunks: process.env.POOLNET_FAULT_CORRUPT_CHUNKS === '1',
    ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
    ...(options.autoFetchImageBytes === undefined
      ? {}
      : { autoFetchImageBytes: options.autoFetchImageBytes }),
  });
  const api = await startLocalApi(daemon, token, log);
  await dir.writeJson(FILES.daemon, { port: api.port, pid: process.pid, startedAt: Date.now() });
  daemon.start();
  let closing: Promise<void> | undefined;
  return {
    port: api.port,
    daemon,
    uiUrl: `http://127.0.0.1:${api.port}/#token=${token}`,
    close: () =>
      (closing ??= (async () => {
        await api.close();
        await daemon.close();
        await dir.remove(FILES.daemon);
        held.delete(dir.path);
      })()),
  };
}

/**
 * Direct TCP links: on unless POOLNET_TCP=off; they listen on POOLNET_TCP_BIND, else on the
 * WebRTC bind address (loopback in tests), else on every address.
 */
function tcpOptions(webrtcBind: string | undefined): TcpTransportOptions | false {
  if (process.env.POOLNET_TCP === 'off') return false;
  const host = process.env.POOLNET_TCP_BIND ?? webrtcBind;
  return host ? { host } : {};
}
