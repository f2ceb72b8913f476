import { createServer, connect, type Server, type Socket } from 'node:net';
import type { SignalPipe } from '@poolnet/engine';
import { TRANSPORT_IDS } from '../../src/index.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Poll until `condition` holds. */
export function until(condition: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface WireCandidate {
  h: string;
  p: number;
}

/**
 * A pipe whose outgoing TCP offers and answers (blobs tagged with the TCP id) get their
 * candidates replaced: a firewall, or a proxy in the path.
 */
export function rewritingTcpCandidates(
  pipe: SignalPipe,
  rewrite: (candidates: WireCandidate[]) => WireCandidate[] | Promise<WireCandidate[]>,
): SignalPipe {
  let chain = Promise.resolve();
  return {
    send: (blob) => {
      // In order, even when a rewrite waits (a proxy starting to listen).
      chain = chain.then(async () => {
        if (blob[0] !== TRANSPORT_IDS.tcp) return pipe.send(blob);
        const signal = JSON.parse(decoder.decode(blob.subarray(2))) as { c?: WireCandidate[] };
        if (signal.c) signal.c = await rewrite(signal.c);
        const body = encoder.encode(JSON.stringify(signal));
        const out = new Uint8Array(body.byteLength + 2);
        out.set(blob.subarray(0, 2));
        out.set(body, 2);
        pipe.send(out);
      });
    },
    onSignal: (listener) => pipe.onSignal(listener),
  };
}

/** A TCP forwarder on 127.0.0.1 to `target`; `sever()` destroys every connection through it. */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  port = 0;

  constructor(private readonly target: WireCandidate) {
    this.server = createServer((client) => {
      const upstream = connect(this.target.p, this.target.h);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<WireCandidate> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return { h: '127.0.0.1', p: this.port };
  }

  /** Cut the link: every connection through the proxy is destroyed, new ones are refused. */
  sever(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  get connections(): number {
    return this.sockets.size / 2;
  }
}
