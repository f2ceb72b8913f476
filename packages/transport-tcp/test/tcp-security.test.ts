import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError } from '@poolnet/engine';
import { signalPipePair } from '@poolnet/engine/testing';
import { asNodeId } from '@poolnet/protocol';
import {
  createTlsIdentity,
  TcpError,
  TcpTransport,
  type TcpTransportOptions,
  type TlsIdentity,
} from '../src/index.js';
import { frameHeader, helloPayload } from '../src/frame-codec.js';
import { handPipe, json, rewritingPipe } from './support/pipes.js';
import { RawPeer, Tag } from './support/raw-peer.js';

const made: TcpTransport[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const t of made.splice(0)) t.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function loopback(options: TcpTransportOptions = {}): TcpTransport {
  const t = new TcpTransport({ host: '127.0.0.1', ...options });
  made.push(t);
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<LinkError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(LinkError);
    return e as LinkError;
  }
  throw new Error('expected a rejection');
}

function tcpCause(error: unknown, code: string): TcpError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof TcpError && e.code === code) return e;
  }
  return undefined;
}

/**
 * A man in the middle: terminates TLS with its own certificate, records every plaintext byte
 * it gets, and relays to `target` as a TLS client, again with its own certificate.
 */
async function manInTheMiddle(
  identity: TlsIdentity,
  target: () => number,
): Promise<{ port: number; accepted: () => number; plaintextBytes: () => number }> {
  let accepted = 0;
  let plaintext = 0;
  const server: Server = createServer({
    key: identity.keyPem,
    cert: identity.certificatePem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('connection', () => accepted++);
  server.on('secureConnection', (socket: TLSSocket) => {
    const upstream = tlsConnect({
      host: '127.0.0.1',
      port: target(),
      key: identity.keyPem,
      cert: identity.certificatePem,
      rejectUnauthorized: false,
    });
    socket.on('data', (d: Buffer) => {
      plaintext += d.byteLength;
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => socket.write(d));
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  const { port } = server.address() as { port: number };
  return { port, accepted: () => accepted, plaintextBytes: () => plaintext };
}

function until(condition: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** A responder whose far end is played by hand: it was offered `peer`'s fingerprint. */
async function handDrivenResponder(peer: TlsIdentity, options: TcpTransportOptions = {}) {
  const transport = loopback(options);
  const port = await transport.listen();
  const pipe = handPipe();
  const session = '0123456789abcdef01234567';
  const opening = transport.open(asNodeId('peer'), 'responder', pipe);
  let settled = false;
  opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  pipe.deliver(json({ v: 1, t: 'offer', s: session, fp: peer.fingerprint, m: 262144, c: [] }));
  await until(() => pipe.sent.length > 0); // The answer.
  return { transport, port, session, opening, isSettled: () => settled };
}

describe('tcp security', () => {
  it('refuses a man in the middle on both ends: pinned fingerprints do not match', async () => {
    let realPortOfB = 0;
    const mitm = await manInTheMiddle(createTlsIdentity(), () => realPortOfB);
    const ta = loopback({ connectTimeoutMs: 20_000 });
    const tb = loopback({ connectTimeoutMs: 20_000 });
    realPortOfB = await tb.listen();
    // The network sends every dial to the man in the middle; signalling stays honest.
    const viaMitm = (): Array<{ h: string; p: number }> => [{ h: '127.0.0.1', p: mitm.port }];
    const [pa, pb] = signalPipePair();
    const [ea, eb] = await Promise.all([
      rejection(ta.open(asNodeId('b'), 'initiator', rewritingPipe(pa, viaMitm))),
      rejection(tb.open(asNodeId('a'), 'responder', rewritingPipe(pb, viaMitm))),
    ]);
    for (const error of [ea, eb]) {
      expect(error.code).toBe('OPEN_FAILED');
      expect(tcpCause(error, 'FINGERPRINT_MISMATCH')).toBeDefined();
    }
    expect(mitm.accepted()).toBeGreaterThan(0);
    // Neither end said a word to it: the check comes before the first frame.
    expect(mitm.plaintextBytes()).toBe(0);
  });

  it('closes an accepted connection whose certificate is not the pinned one, then opens with the right one', async () => {
    const rightful = createTlsIdentity();
    const { port, session, opening, isSettled } = await handDrivenResponder(rightful);

    const impostor = await RawPeer.dial(createTlsIdentity(), port);
    impostor.send(Tag.HELLO, helloPayload(session));
    impostor.send(Tag.NOMINATE);
    await impostor.closed;
    expect(isSettled()).toBe(false);

    const peer = await RawPeer.dial(rightful, port);
    peer.send(Tag.HELLO, helloPayload(session));
    peer.send(Tag.NOMINATE);
    peer.send(Tag.CONTROL, new Uint8Array([7, 7]));
    const link = await opening;
    const got = await new Promise<Uint8Array>((resolve) => link.onMessage((f) => resolve(f)));
    expect([...got]).toEqual([7, 7]);
    link.send('bulk', new Uint8Array([1]));
    await until(() => peer.frames.some(([tag]) => tag === Tag.BULK));
    peer.close();
  });

  it('drops a client that shows no certificate', async () => {
    const { port, isSettled } = await handDrivenResponder(createTlsIdentity());
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.on('error', () => {});
    await once(socket, 'close');
    expect(isSettled()).toBe(false);
  });

  it('closes a connection that says no hello in time, or names an unknown session', async () => {
    const rightful = createTlsIdentity();
    const { port, isSettled } = await handDrivenResponder(rightful, { handshakeTimeoutMs: 200 });
    const silent = await RawPeer.dial(rightful, port);
    const started = Date.now();
    await silent.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);

    const stranger = await RawPeer.dial(rightful, port);
    stranger.send(Tag.HELLO, helloPayload('ffffffffffffffff'));
    await stranger.closed;

    const rude = await RawPeer.dial(rightful, port);
    rude.send(Tag.BULK, new Uint8Array(10));
    await rude.closed;
    expect(isSettled()).toBe(false);
  });

  it('closes the link with LINK_CLOSED (BAD_FRAME) when the peer breaks the framing', async () => {
    const rightful = createTlsIdentity();
    const { port, session, opening } = await handDrivenResponder(rightful);
    const peer = await RawPeer.dial(rightful, port);
    peer.send(Tag.HELLO, helloPayload(session));
    peer.send(Tag.NOMINATE);
    const link = await opening;
    const reason = new Promise<Error | undefined>((resolve) => link.onClose(resolve));
    peer.sendRaw(frameHeader(Tag.BULK, 0xffffffff));
    const error = await reason;
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).code).toBe('LINK_CLOSED');
    expect(tcpCause(error, 'BAD_FRAME')).toBeDefined();
    await peer.closed;
  });

  it('closes the link when the peer sends a handshake frame on an open link', async () => {
    const rightful = createTlsIdentity();
    const { port, session, opening } = await handDrivenResponder(rightful);
    const peer = await RawPeer.dial(rightful, port);
    peer.send(Tag.HELLO, helloPayload(session));
    peer.send(Tag.NOMINATE);
    const link = await opening;
    const reason = new Promise<Error | undefined>((resolve) => link.onClose(resolve));
    peer.send(Tag.NOMINATE);
    expect(tcpCause(await reason, 'BAD_FRAME')).toBeDefined();
  });

  it('an initiator holds a connection that comes before the answer, then pins and nominates it', async () => {
    const rightful = createTlsIdentity();
    const transport = loopback({ connectTimeoutMs: 1500 });
    const port = await transport.listen();
    const pipe = handPipe();
    const opening = transport.open(asNodeId('peer'), 'initiator', pipe);
    await until(() => pipe.sent.length > 0);
    const { s } = pipe.signals()[0]! as { s: string };
    // The answer arrives only after the responder's connection: it is held, then verified.
    const peer = await RawPeer.dial(rightful, port);
    peer.send(Tag.HELLO, helloPayload(s));
    await new Promise((r) => setTimeout(r, 50));
    pipe.deliver(json({ v: 1, t: 'answer', s, fp: rightful.fingerprint, m: 65536, c: [] }));
    await until(() => peer.frames.some(([tag]) => tag === Tag.NOMINATE));
    const link = await opening;
    expect(link.isOpen).toBe(true);
    peer.close();
  });
});
