/** A minimal STUN client over a real UDP socket, for tests against a running StunServer. */

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import {
  encodeStunMessage,
  parseStunMessage,
  StunMessageType,
  type ParsedStunMessage,
} from '../../src/ice/stun-message.js';

export interface StunClient {
  readonly socket: Socket;
  readonly local: AddressInfo;
  /** Send `bytes` to `server`; nothing is awaited. */
  send(bytes: Uint8Array, server: AddressInfo): void;
  /** Send a Binding Request and resolve with the response carrying its transaction id. */
  bind(
    server: AddressInfo,
    timeoutMs?: number,
  ): Promise<{ request: Uint8Array; response: ParsedStunMessage }>;
  close(): Promise<void>;
}

export function bindingRequest(transactionId: Uint8Array = randomBytes(12)): Uint8Array {
  return encodeStunMessage(
    { type: StunMessageType.BindingRequest, transactionId, attributes: [] },
    { fingerprint: true },
  );
}

export async function openStunClient(type: 'udp4' | 'udp6', host: string): Promise<StunClient> {
  const socket = createSocket(type);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    socket,
    local: socket.address(),
    send(bytes, server) {
      socket.send(bytes, server.port, server.address);
    },
    bind(server, timeoutMs = 3000) {
      const transactionId = randomBytes(12);
      const request = bindingRequest(transactionId);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          reject(new Error(`no STUN response within ${timeoutMs} ms`));
        }, timeoutMs);
        // Stray answers (to fuzzed datagrams that happened to be valid requests) are skipped.
        const onMessage = (datagram: Buffer) => {
          const response = parseStunMessage(datagram);
          if (!Buffer.from(response.transactionId).equals(transactionId)) return;
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve({ request, response });
        };
        socket.on('message', onMessage);
        socket.send(request, server.port, server.address);
      });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
