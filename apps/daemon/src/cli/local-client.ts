/**
 * The daemon's local API as the CLI uses it (apps/daemon/API.md): finds the daemon of a data
 * directory through `daemon.json` and `api-token`, sends JSON requests with the bearer token,
 * and turns every error body into a `CliError` carrying the daemon's code and message.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { DaemonEvent } from '../api-types.js';
import { CliError, EXIT } from './errors.js';

export const DAEMON_FILE = 'daemon.json';
export const TOKEN_FILE = 'api-token';

/** The one-line error for a data directory no daemon answers for: exit 2. */
export function noDaemonError(dataDir: string, cause?: unknown): CliError {
  return new CliError(
    'NO_DAEMON',
    `no daemon running for ${dataDir}: start it with \`poolnet up --data ${dataDir} --server URL\``,
    EXIT.noDaemon,
    { cause },
  );
}

type Query = Readonly<Record<string, string | number | undefined>>;

/** An open `GET /v1/events` stream. */
export interface EventStream {
  close(): void;
  /** Settles when the socket is closed, by either side. */
  readonly closed: Promise<void>;
}

function portOf(info: unknown): number | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const port = (info as { port?: unknown }).port;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536
    ? port
    : undefined;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class LocalClient {
  private constructor(
    /** The data directory as the user named it (shown in messages). */
    readonly dataDir: string,
    readonly port: number,
    private readonly token: string,
  ) {}

  /** The client of the daemon running for `dataDir`; a `NO_DAEMON` error when there is none. */
  static async find(dataDir: string): Promise<LocalClient> {
    let port: number | undefined;
    let token: string;
    try {
      port = portOf(JSON.parse(await readFile(join(dataDir, DAEMON_FILE), 'utf8')));
      token = (await readFile(join(dataDir, TOKEN_FILE), 'utf8')).trim();
    } catch (cause) {
      throw noDaemonError(dataDir, cause);
    }
    if (port === undefined || token === '') throw noDaemonError(dataDir);
    return new LocalClient(dataDir, port, token);
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return this.send<T>('GET', search === '' ? path : `${path}?${search}`);
  }

  post<T>(path: string, body: object = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  private send<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          // No keep-alive: a CLI run makes a few requests and must exit right after.
          agent: false,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => reject(this.unreachable(err)));
          res.on('end', () => {
            try {
              resolve(answer<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on('error', (err) => reject(this.unreachable(err)));
      req.end(payload);
    });
  }

  private unreachable(cause: unknown): CliError {
    if (errorCode(cause) === 'ECONNREFUSED') return noDaemonError(this.dataDir, cause);
    return new CliError(
      'DAEMON_UNREACHABLE',
      `cannot reach the daemon for ${this.dataDir} on port ${this.port}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      EXIT.noDaemon,
      { cause },
    );
  }

  /**
   * Opens `GET /v1/events` and authenticates with the first frame; every event frame goes to
   * `onEvent`. Resolves once the socket is open.
   */
  events(onEvent: (event: DaemonEvent) => void): Promise<EventStream> {
    const socket = new WebSocket(`ws://127.0.0.1:${this.port}/v1/events`);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let event: unknown;
      try {
        event = JSON.parse(data.toString());
      } catch {
        return; // not an event: the API only sends JSON text frames
      }
      if (typeof event === 'object' && event !== null && 'type' in event) {
        onEvent(event as DaemonEvent);
      }
    });
    return new Promise<EventStream>((resolve, reject) => {
      socket.once('error', (err) => reject(this.unreachable(err)));
      socket.once('open', () => {
        socket.on('error', () => undefined); // a later failure shows as `closed`
        socket.send(JSON.stringify({ token: this.token }));
        resolve({ close: () => socket.close(), closed });
      });
    });
  }
}

/** The body of a response: the parsed JSON on success, a `CliError` from the error body. */
function answer<T>(status: number, text: string): T {
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      'BAD_RESPONSE',
      `the daemon answered ${status} with something that is not JSON`,
      EXIT.refused,
      { cause },
    );
  }
  if (status >= 200 && status < 300) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message =
    typeof error?.message === 'string' ? error.message : `the daemon answered HTTP ${status}`;
  throw new CliError(code, message, EXIT.refused);
}
