import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerDatagram, mappedAddressOf } from '../../src/ice/binding-responder.js';
import { IceError } from '../../src/ice/errors.js';
import { decodeSoftware, decodeXorMappedAddress } from '../../src/ice/stun-attributes.js';
import {
  encodeStunMessage,
  findAttribute,
  parseStunMessage,
  StunAttributeType,
  StunMessageType,
} from '../../src/ice/stun-message.js';
import { StunServer } from '../../src/ice/stun-server.js';
import { bindingRequest, openStunClient, type StunClient } from './stun-client.js';

/** Whether this machine can bind UDP on ::1; decided once, before the tests are declared. */
const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const socket = createSocket('udp6');
  socket.once('error', () => resolve(false));
  socket.bind(0, '::1', () => socket.close(() => resolve(true)));
});

const servers: StunServer[] = [];
const clients: StunClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(host: string, server = new StunServer()) {
  servers.push(server);
  const bound = await server.start({ host, port: 0 });
  const address: AddressInfo = { address: bound.address, family: bound.family, port: bound.port };
  return { server, address };
}

async function client(type: 'udp4' | 'udp6', host: string) {
  const opened = await openStunClient(type, host);
  clients.push(opened);
  return opened;
}

/** Send a valid request and wait for its answer: by then every earlier datagram was handled. */
async function settle(c: StunClient, address: AddressInfo) {
  return c.bind(address);
}

describe('StunServer', () => {
  it('[ICE6] answers a Binding Request over 127.0.0.1 with the client address, SOFTWARE, FINGERPRINT', async () => {
    const { server, address } = await startServer('127.0.0.1');
    const c = await client('udp4', '127.0.0.1');
    const { request, response } = await c.bind(address);
    expect(response.type).toBe(StunMessageType.BindingSuccessResponse);
    // The response was read from a Buffer; compare the bytes, not the class.
    expect(Uint8Array.from(response.transactionId)).toEqual(
      parseStunMessage(request).transactionId,
    );
    expect(response.hadFingerprint).toBe(true);
    const xor = findAttribute(response, StunAttributeType.XorMappedAddress);
    expect(xor).toBeDefined();
    expect(decodeXorMappedAddress(xor?.value ?? new Uint8Array(), response.transactionId)).toEqual({
      family: 'IPv4',
      address: '127.0.0.1',
      port: c.local.port,
    });
    const software = findAttribute(response, StunAttributeType.Software);
    expect(decodeSoftware(software?.value ?? new Uint8Array())).toBe('poolnet-sync-server');
    expect(server.counters()).toMatchObject({ received: 1, requests: 1, malformed: 0, ignored: 0 });
    await expect.poll(() => server.counters().responses).toBe(1);
  });

  it.skipIf(!ipv6Loopback)(
    '[ICE6] answers a Binding Request over ::1 with the IPv6 client address',
    async () => {
      const { address } = await startServer('::1');
      const c = await client('udp6', '::1');
      const { response } = await c.bind(address);
      const xor = findAttribute(response, StunAttributeType.XorMappedAddress);
      expect(
        decodeXorMappedAddress(xor?.value ?? new Uint8Array(), response.transactionId),
      ).toEqual({ family: 'IPv6', address: '::1', port: c.local.port });
    },
  );

  it('[ICE6] reports an IPv4 peer of a dual-stack socket as IPv4, not ::ffff:a.b.c.d', () => {
    expect(mappedAddressOf({ address: '::ffff:192.0.2.7', port: 9 })).toEqual({
      family: 'IPv4',
      address: '192.0.2.7',
      port: 9,
    });
    expect(mappedAddressOf({ address: 'fe80::1%eth0', port: 9 })).toEqual({
      family: 'IPv6',
      address: 'fe80::1',
      port: 9,
    });
    expect(mappedAddressOf({ address: 'not an address', port: 9 })).toBeUndefined();
  });

  it('[ICE6] leaves SOFTWARE out when none is configured', () => {
    const outcome = answerDatagram(
      bindingRequest(),
      { address: '127.0.0.1', port: 5 },
      { software: undefined, maxDatagramBytes: 1280 },
    );
    expect(outcome.kind).toBe('respond');
    if (outcome.kind !== 'respond') return;
    const response = parseStunMessage(outcome.response);
    expect(findAttribute(response, StunAttributeType.Software)).toBeUndefined();
    expect(response.hadFingerprint).toBe(true);
  });

  it('[ICE7] drops junk, broken STUN and oversized datagrams silently, counts them, keeps answering', async () => {
    const { server, address } = await startServer(
      '127.0.0.1',
      new StunServer({ maxDatagramBytes: 100 }),
    );
    const c = await client('udp4', '127.0.0.1');
    const valid = bindingRequest();
    const badFingerprint = valid.slice();
    badFingerprint[valid.length - 1] = (badFingerprint[valid.length - 1] ?? 0) ^ 0xff;
    const oversized = encodeStunMessage({
      type: StunMessageType.BindingRequest,
      transactionId: new Uint8Array(12),
      attributes: [{ type: 0x8001, value: new Uint8Array(200) }],
    });
    const junk = [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      new Uint8Array(0),
      valid.subarray(0, 19),
      badFingerprint,
      oversized,
    ];
    let replies = 0;
    c.socket.on('message', () => replies++);
    for (const datagram of junk) c.send(datagram, address);
    await settle(c, address);
    expect(server.counters()).toMatchObject({ received: 6, requests: 1, malformed: 5, ignored: 0 });
    expect(replies).toBe(1);
  });

  it('[ICE8] ignores valid STUN that is not a Binding Request, and counts it', async () => {
    const { server, address } = await startServer('127.0.0.1');
    const c = await client('udp4', '127.0.0.1');
    for (const type of [
      StunMessageType.BindingIndication,
      StunMessageType.BindingSuccessResponse,
      StunMessageType.BindingErrorResponse,
      0x0003, // Allocate request (TURN), not ours
    ]) {
      c.send(
        encodeStunMessage({ type, transactionId: new Uint8Array(12), attributes: [] }),
        address,
      );
    }
    await settle(c, address);
    expect(server.counters()).toMatchObject({ received: 5, requests: 1, malformed: 0, ignored: 4 });
  });

  it('[ICE6] start twice is refused, a taken port is BIND_FAILED, close twice is fine', async () => {
    const { server, address } = await startServer('127.0.0.1');
    await expect(server.start({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({
      code: 'ALREADY_STARTED',
    });
    const second = new StunServer();
    servers.push(second);
    const failure = second.start({ host: '127.0.0.1', port: address.port });
    await expect(failure).rejects.toBeInstanceOf(IceError);
    await expect(failure).rejects.toMatchObject({ code: 'BIND_FAILED' });
    await server.close();
    await server.close();
    expect(server.address()).toBeUndefined();
  });
});
