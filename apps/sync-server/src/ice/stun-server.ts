/**
 * The built-in STUN responder (ARCHITECTURE §6): a UDP socket that tells each node its public
 * address and port, so nodes behind ordinary NATs find server-reflexive candidates without
 * coturn. It answers Binding Requests only, keeps no per-client state and counts what it drops,
 * so a flood of junk costs a counter increment per datagram and never stops it.
 */

import type { AddressInfo } from 'node:net';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  answerDatagram,
  DEFAULT_MAX_DATAGRAM_BYTES,
  type BindingOutcome,
} from './binding-responder.js';
import { IceError } from './errors.js';
import type { TransportAddress } from './ip-address.js';
import { encodeSoftware } from './stun-attributes.js';

export const DEFAULT_STUN_SOFTWARE = 'poolnet-sync-server';

export interface StunServerOptions {
  /** SOFTWARE sent in every response; `null` sends none. Default `poolnet-sync-server`. */
  readonly software?: string | null;
  /** Datagrams over this size are dropped unread. Default 1280. */
  readonly maxDatagramBytes?: number;
}

export interface StunListenOptions {
  /** An IP literal; IPv6 (`::`, `::1`) makes a udp6 socket, `::` is dual-stack. */
  readonly host: string;
  /** 0 picks an ephemeral port; `start()` resolves with the one bound. */
  readonly port: number;
}

/** Running totals for metrics. `received` = `requests` + `malformed` + `ignored`. */
export interface StunServerCounters {
  readonly received: number;
  /** Binding Requests answered (whether or not the send then succeeded). */
  readonly requests: number;
  /** Responses the socket reported as sent. */
  readonly responses: number;
  readonly sendErrors: number;
  /** Not STUN, broken STUN or oversized ([ICE7]). */
  readonly malformed: number;
  /** Valid STUN that is not a Binding Request ([ICE8]). */
  readonly ignored: number;
}

type MutableCounters = { -readonly [K in keyof StunServerCounters]: number };

export class StunServer {
  readonly #software: Uint8Array | undefined;
  readonly #maxDatagramBytes: number;
  readonly #counters: MutableCounters = {
    received: 0,
    requests: 0,
    responses: 0,
    sendErrors: 0,
    malformed: 0,
    ignored: 0,
  };
  #socket: Socket | undefined;

  constructor(options: StunServerOptions = {}) {
    const software = options.software === undefined ? DEFAULT_STUN_SOFTWARE : options.software;
    this.#software = software === null ? undefined : encodeSoftware(software);
    this.#maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
    if (!Number.isInteger(this.#maxDatagramBytes) || this.#maxDatagramBytes < 20) {
      throw new IceError('INVALID_CONFIG', `maxDatagramBytes ${this.#maxDatagramBytes}`);
    }
  }

  /** Bind the socket and start answering. Resolves with the bound address. */
  async start(options: StunListenOptions): Promise<TransportAddress> {
    if (this.#socket !== undefined) throw new IceError('ALREADY_STARTED', 'already listening');
    const socket = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
    this.#socket = socket;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.port, options.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      this.#socket = undefined;
      socket.close();
      throw new IceError('BIND_FAILED', `cannot bind ${options.host}:${options.port}`, { cause });
    }
    // After bind, an 'error' without a listener would crash the process; a UDP responder
    // has nothing to recover, so it counts and carries on.
    socket.on('error', () => this.#counters.sendErrors++);
    socket.on('message', (datagram, remote) => this.#onDatagram(socket, datagram, remote));
    return toTransportAddress(socket.address());
  }

  /** The bound address, or undefined when not listening. */
  address(): TransportAddress | undefined {
    return this.#socket === undefined ? undefined : toTransportAddress(this.#socket.address());
  }

  /** A snapshot of the counters. */
  counters(): StunServerCounters {
    return { ...this.#counters };
  }

  /** Stop answering and release the port. Safe to call twice. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #onDatagram(socket: Socket, datagram: Buffer, remote: RemoteInfo): void {
    this.#counters.received++;
    let outcome: BindingOutcome;
    try {
      outcome = answerDatagram(datagram, remote, {
        software: this.#software,
        maxDatagramBytes: this.#maxDatagramBytes,
      });
    } catch {
      // Not expected (the codec throws only StunError, handled inside), but a throw from an
      // event handler would take the whole sync server down for one odd datagram.
      this.#counters.malformed++;
      return;
    }
    if (outcome.kind === 'malformed') {
      this.#counters.malformed++;
      return;
    }
    if (outcome.kind === 'ignored') {
      this.#counters.ignored++;
      return;
    }
    this.#counters.requests++;
    socket.send(outcome.response, remote.port, remote.address, (error) => {
      if (error) this.#counters.sendErrors++;
      else this.#counters.responses++;
    });
  }
}

function toTransportAddress(bound: AddressInfo): TransportAddress {
  return {
    family: bound.family === 'IPv6' ? 'IPv6' : 'IPv4',
    address: bound.address,
    port: bound.port,
  };
}
