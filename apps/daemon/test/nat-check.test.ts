/**
 * The daemon's NAT check (ADR 0010): the STUN client's reading of responses, and `checkNat`
 * against real UDP responders on loopback — the sync server's own STUN responder, and
 * responders that report the mapped address a NAT would have made. The classification itself
 * is tested case by case with it in packages/device (nat-verdict.test.ts).
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  StunServer,
  answerDatagram,
  encodeStunMessage,
  encodeXorMappedAddress,
  StunAttributeType,
  StunMessageType,
} from '@poolnet/sync-server';
import { afterEach, describe, expect, it } from 'vitest';
import { Devices } from './devices.js';
import { type Json, eventually } from './fixture.js';
import { checkNat } from '../src/daemon/nat-check.js';
import { bindingRequest, mappedAddressIn } from '../src/daemon/stun-client.js';

describe('the STUN client', () => {
  it('reads XOR-MAPPED-ADDRESS from the server responder and refuses other transactions', () => {
    const { bytes, transactionId } = bindingRequest();
    const outcome = answerDatagram(
      bytes,
      { address: '203.0.113.9', port: 40_000 },
      {
        software: undefined,
        maxDatagramBytes: 1280,
      },
    );
    if (outcome.kind !== 'respond') throw new Error(outcome.kind);
    expect(mappedAddressIn(outcome.response, transactionId)).toEqual({
      address: '203.0.113.9',
      port: 40_000,
    });
    expect(mappedAddressIn(outcome.response, Buffer.alloc(12))).toBeUndefined();
    expect(mappedAddressIn(outcome.response.subarray(0, 24), transactionId)).toBeUndefined();
    expect(mappedAddressIn(new Uint8Array(3), transactionId)).toBeUndefined();
    expect(mappedAddressIn(bytes, transactionId)).toBeUndefined(); // a request, not a response
  });

  it('reads an IPv6 mapped address', () => {
    const { bytes, transactionId } = bindingRequest();
    const outcome = answerDatagram(
      bytes,
      { address: '2001:db8::7', port: 9 },
      {
        software: undefined,
        maxDatagramBytes: 1280,
      },
    );
    if (outcome.kind !== 'respond') throw new Error(outcome.kind);
    expect(mappedAddressIn(outcome.response, transactionId)).toEqual({
      address: '2001:db8:0:0:0:0:0:7',
      port: 9,
    });
  });
});

const sockets: Socket[] = [];
const servers: StunServer[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const s of servers.splice(0)) await s.close();
});

/** A UDP responder that claims the requester is at `mapped()` (undefined: stays silent). */
async function natResponder(
  mapped: () => { address: string; port: number } | undefined,
): Promise<{ host: string; port: number }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', (datagram, remote) => {
    const claim = mapped();
    if (claim === undefined) return;
    const transactionId = datagram.subarray(8, 20);
    const response = encodeStunMessage(
      {
        type: StunMessageType.BindingSuccessResponse,
        transactionId,
        attributes: [
          {
            type: StunAttributeType.XorMappedAddress,
            value: encodeXorMappedAddress({ family: 'IPv4', ...claim }, transactionId),
          },
        ],
      },
      { fingerprint: true },
    );
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: socket.address().port };
}

describe('checkNat over UDP', () => {
  it('the sync server responder on two ports, seen from this machine: none', async () => {
    const targets = [];
    for (let i = 0; i < 2; i++) {
      const server = new StunServer();
      servers.push(server);
      targets.push({ host: '127.0.0.1', port: (await server.start(server0)).port });
    }
    const nat = await checkNat(targets, { now: () => 42 });
    expect(nat).toMatchObject({ type: 'none', directReachable: true, checkedAt: 42 });
    expect(nat.publicAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('responders that see one mapping: cone; one mapping each: symmetric', async () => {
    const at = (port: number) => () => ({ address: '203.0.113.5', port });
    const cone = await checkNat([await natResponder(at(40_000)), await natResponder(at(40_000))]);
    expect(cone).toMatchObject({ type: 'cone', publicAddress: '203.0.113.5:40000' });
    const symmetric = await checkNat([
      await natResponder(at(40_001)),
      await natResponder(at(40_002)),
    ]);
    expect(symmetric).toMatchObject({ type: 'symmetric', directReachable: false });
  });

  it('silent responders: blocked after the timeout, retransmitting meanwhile', async () => {
    let heard = 0;
    const silent = await natResponder(() => {
      heard++;
      return undefined;
    });
    const started = Date.now();
    const nat = await checkNat([silent], { rtoMs: 50, timeoutMs: 400 });
    expect(nat.type).toBe('blocked');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(heard).toBeGreaterThanOrEqual(3);
  });
});

const server0 = { host: '127.0.0.1', port: 0 };

describe('checkNat, aborted', () => {
  it('stops waiting as soon as the signal fires (a daemon closing)', async () => {
    const silent = await natResponder(() => undefined);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const started = Date.now();
    await checkNat([silent, silent], { timeoutMs: 10_000, signal: abort.signal });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("the daemon's status", () => {
  it('reports the NAT check, and WebRTC links with their route, in status and link events', async () => {
    // WebRTC only, so the links carry a route (TCP links have none).
    const tcp = process.env.POOLNET_TCP;
    process.env.POOLNET_TCP = 'off';
    const bench = await Devices.start();
    try {
      const ada = await bench.device('ada');
      const bob = await bench.device('bob');
      const events = await bench.events(ada);
      const nat = await eventually(async () => (await ada.api.ok('GET', '/v1/status')).nat, 'nat');
      // Loopback: the responder sees the socket's own address, so there is no NAT.
      expect(nat).toMatchObject({ type: 'none', directReachable: true });
      expect(nat.publicAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(nat.checkedAt).toBeGreaterThan(0);

      const pool = await bench.pool(ada, [bob], 'Route');
      const link = await eventually(async () => {
        const status = await ada.api.ok('GET', '/v1/status');
        return status.pools
          .find((p: Json) => p.id === pool)
          ?.links.find((l: Json) => l.relayed !== undefined);
      }, 'a link with a known route');
      expect(link).toMatchObject({ transport: 'webrtc', relayed: false });
      await eventually(
        async () => events.some((e) => e.type === 'link' && e.up && e.relayed === false),
        'a link event with relayed: false',
      );
      const { stdout } = await ada.cli('status');
      expect(stdout).toMatch(/^nat\s+none\s+no NAT/m);
    } finally {
      await bench.close();
      if (tcp === undefined) delete process.env.POOLNET_TCP;
      else process.env.POOLNET_TCP = tcp;
    }
  });
});
