/**
 * [ICE1] Parsing untrusted bytes returns a message or throws a StunError, nothing else, and
 * [ICE7] a running StunServer fed the same junk stays up and still answers. The seed is
 * printed; rerun a failure with FUZZ_SEED=<seed> (FUZZ_RUNS=<n> for more).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { StunError } from '../../src/ice/errors.js';
import {
  decodeMappedAddress,
  decodeSoftware,
  decodeXorMappedAddress,
} from '../../src/ice/stun-attributes.js';
import {
  encodeStunMessage,
  MAGIC_COOKIE,
  parseStunMessage,
  StunAttributeType,
} from '../../src/ice/stun-message.js';
import { StunServer } from '../../src/ice/stun-server.js';
import { SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE, SAMPLE_REQUEST } from './rfc5769.js';
import { bindingRequest, openStunClient, type StunClient } from './stun-client.js';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
console.info(`[ICE1] fuzz seed ${seed} (rerun with FUZZ_SEED=${seed})`);

const samples = [
  SAMPLE_REQUEST,
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  bindingRequest(new Uint8Array(12)),
];

/** A header that passes the cookie and length checks, over random attribute bytes. */
const framed = fc
  .tuple(
    fc.integer({ min: 0, max: 0x3fff }),
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 120 }),
  )
  .map(([type, id, body]) => {
    const length = body.length - (body.length % 4);
    const bytes = new Uint8Array(20 + length);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, type);
    view.setUint16(2, length);
    view.setUint32(4, MAGIC_COOKIE);
    bytes.set(id, 8);
    bytes.set(body.slice(0, length), 20);
    return bytes;
  });

/** Well-formed messages with random attributes, some of them address and FINGERPRINT types. */
const structured = fc
  .record({
    type: fc.integer({ min: 0, max: 0x3fff }),
    attributes: fc.array(
      fc.record({
        type: fc.constantFrom(0x0001, 0x0020, 0x8022, 0x8028, 0x0008, 0x0006, 0x7fff),
        value: fc.uint8Array({ maxLength: 24 }),
      }),
      { maxLength: 6 },
    ),
    fingerprint: fc.boolean(),
  })
  .map(({ type, attributes, fingerprint }) =>
    encodeStunMessage(
      { type, transactionId: new Uint8Array(12).fill(7), attributes },
      { fingerprint },
    ),
  );

/** A valid sample with a few bytes overwritten, cut short or extended. */
const mutated = fc
  .tuple(
    fc.constantFrom(...samples),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.integer({ min: -8, max: 8 }),
  )
  .map(([sample, edits, resize]) => {
    const bytes = new Uint8Array(Math.max(0, sample.length + resize));
    bytes.set(sample.subarray(0, bytes.length));
    for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
    return bytes;
  });

const datagrams = fc.oneof(fc.uint8Array({ maxLength: 200 }), framed, structured, mutated);

function onlyStunErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof StunError)) throw error;
  }
}

describe('STUN fuzz', () => {
  it('[ICE1] random, framed and mutated bytes only ever throw StunError', () => {
    fc.assert(
      fc.property(datagrams, (bytes) => {
        onlyStunErrors(() => {
          const message = parseStunMessage(bytes);
          for (const attribute of message.attributes) {
            if (attribute.type === StunAttributeType.XorMappedAddress) {
              onlyStunErrors(() => decodeXorMappedAddress(attribute.value, message.transactionId));
            }
            if (attribute.type === StunAttributeType.MappedAddress) {
              onlyStunErrors(() => decodeMappedAddress(attribute.value));
            }
            if (attribute.type === StunAttributeType.Software) {
              onlyStunErrors(() => decodeSoftware(attribute.value));
            }
          }
        });
      }),
      { seed, numRuns },
    );
  });

  it('[ICE1] attribute decoders on random values only ever throw StunError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (value) => {
        onlyStunErrors(() => decodeXorMappedAddress(value, new Uint8Array(12)));
        onlyStunErrors(() => decodeMappedAddress(value));
        onlyStunErrors(() => decodeSoftware(value));
      }),
      { seed, numRuns },
    );
  });

  describe('against a running server', () => {
    let server: StunServer;
    let address: AddressInfo;
    let client: StunClient;

    beforeAll(async () => {
      server = new StunServer();
      const bound = await server.start({ host: '127.0.0.1', port: 0 });
      address = { address: bound.address, family: bound.family, port: bound.port };
      client = await openStunClient('udp4', '127.0.0.1');
    });

    afterAll(async () => {
      await client.close();
      await server.close();
    });

    it('[ICE7] stays up, counts every datagram and still answers a valid request', async () => {
      const batches = fc.sample(fc.array(datagrams, { minLength: 20, maxLength: 20 }), {
        numRuns: 15,
        seed,
      });
      let sent = 0;
      for (const batch of batches) {
        // Batches keep the socket's receive buffer far from full, so loopback drops nothing.
        for (const datagram of batch) client.send(datagram, address);
        sent += batch.length;
        const { response } = await client.bind(address);
        sent += 1;
        expect(response.hadFingerprint).toBe(true);
      }
      const counters = server.counters();
      expect(counters.received).toBe(sent);
      expect(counters.requests + counters.malformed + counters.ignored).toBe(sent);
      expect(counters.requests).toBeGreaterThanOrEqual(batches.length);
    });
  });
});
