import { describe, expect, it } from 'vitest';
import { StunError, type StunErrorCode } from '../../src/ice/errors.js';
import {
  decodeMappedAddress,
  decodeSoftware,
  decodeXorMappedAddress,
  encodeMappedAddress,
  encodeSoftware,
  encodeXorMappedAddress,
} from '../../src/ice/stun-attributes.js';
import {
  encodeStunMessage,
  findAttribute,
  fingerprintOf,
  parseStunMessage,
  StunAttributeType,
  StunMessageType,
} from '../../src/ice/stun-message.js';
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_REQUEST,
  TRANSACTION_ID,
} from './rfc5769.js';

function codeOf(run: () => unknown): StunErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(StunError);
    return (error as StunError).code;
  }
}

function withLength(bytes: Uint8Array, length: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(2, length);
  return copy;
}

const transactionId = Uint8Array.from({ length: 12 }, (_, i) => i * 17 + 3);

describe('RFC 5769 test vectors', () => {
  it('[ICE4] the §2.1 sample request parses and its FINGERPRINT matches', () => {
    const message = parseStunMessage(SAMPLE_REQUEST);
    expect(message.type).toBe(StunMessageType.BindingRequest);
    expect(message.transactionId).toEqual(TRANSACTION_ID);
    expect(message.hadFingerprint).toBe(true);
    expect(message.attributes.map((a) => a.type)).toEqual([
      StunAttributeType.Software,
      0x0024, // PRIORITY
      0x8029, // ICE-CONTROLLED
      StunAttributeType.Username,
      StunAttributeType.MessageIntegrity,
    ]);
    const software = findAttribute(message, StunAttributeType.Software);
    expect(decodeSoftware(software?.value ?? new Uint8Array())).toBe('STUN test client');
    const username = findAttribute(message, StunAttributeType.Username);
    expect(new TextDecoder().decode(username?.value)).toBe('evtj:h6vY');
    expect(findAttribute(message, StunAttributeType.MessageIntegrity)?.value.length).toBe(20);
  });

  it('[ICE4] [ICE5] the §2.2 IPv4 response parses to 192.0.2.1:32853', () => {
    const message = parseStunMessage(SAMPLE_IPV4_RESPONSE);
    expect(message.type).toBe(StunMessageType.BindingSuccessResponse);
    expect(message.hadFingerprint).toBe(true);
    const xor = findAttribute(message, StunAttributeType.XorMappedAddress);
    expect(decodeXorMappedAddress(xor?.value ?? new Uint8Array(), message.transactionId)).toEqual({
      family: 'IPv4',
      address: '192.0.2.1',
      port: 32853,
    });
    const software = findAttribute(message, StunAttributeType.Software);
    expect(decodeSoftware(software?.value ?? new Uint8Array())).toBe('test vector');
  });

  it('[ICE4] [ICE5] the §2.3 IPv6 response parses to [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const message = parseStunMessage(SAMPLE_IPV6_RESPONSE);
    expect(message.hadFingerprint).toBe(true);
    const xor = findAttribute(message, StunAttributeType.XorMappedAddress);
    expect(decodeXorMappedAddress(xor?.value ?? new Uint8Array(), message.transactionId)).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('[ICE4] re-encoding each vector reproduces its FINGERPRINT', () => {
    for (const vector of [SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE]) {
      const message = parseStunMessage(vector);
      const encoded = encodeStunMessage(message, { fingerprint: true });
      // The vectors pad with spaces where we pad with zeros, so the bytes differ; the
      // fingerprint over the vector's own bytes must match, and the structure must survive.
      expect(encoded.length).toBe(vector.length);
      const tail = vector.length - 4;
      expect(fingerprintOf(vector.subarray(0, tail - 4))).toBe(
        new DataView(vector.buffer, vector.byteOffset).getUint32(tail),
      );
      expect(parseStunMessage(encoded).attributes).toEqual(message.attributes);
    }
  });

  it('[ICE5] our XOR-MAPPED-ADDRESS encodings are the bytes of the vectors', () => {
    const v4 = encodeXorMappedAddress(
      { family: 'IPv4', address: '192.0.2.1', port: 32853 },
      TRANSACTION_ID,
    );
    expect(Buffer.from(v4).toString('hex')).toBe('0001a147e112a643');
    const v6 = encodeXorMappedAddress(
      { family: 'IPv6', address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 },
      TRANSACTION_ID,
    );
    expect(Buffer.from(v6).toString('hex')).toBe('0002a1470113a9faa5d3f179bc25f4b5bed2b9d9');
  });
});

describe('header', () => {
  const valid = encodeStunMessage({ type: 0x0001, transactionId, attributes: [] });

  it('[ICE2] writes a 20-byte header with the magic cookie and a zero length', () => {
    expect(Buffer.from(valid).toString('hex')).toBe(
      `000100002112a442${Buffer.from(transactionId).toString('hex')}`,
    );
  });

  it('[ICE2] refuses short input, a wrong cookie, top bits and lying lengths', () => {
    expect(codeOf(() => parseStunMessage(new Uint8Array(0)))).toBe('MALFORMED');
    expect(codeOf(() => parseStunMessage(valid.subarray(0, 19)))).toBe('MALFORMED');
    const badCookie = valid.slice();
    badCookie[4] = 0x22;
    expect(codeOf(() => parseStunMessage(badCookie))).toBe('NOT_STUN');
    const topBits = valid.slice();
    topBits[0] = 0x40;
    expect(codeOf(() => parseStunMessage(topBits))).toBe('NOT_STUN');
    expect(codeOf(() => parseStunMessage(withLength(valid, 2)))).toBe('MALFORMED');
    expect(codeOf(() => parseStunMessage(withLength(valid, 4)))).toBe('MALFORMED');
    const trailing = new Uint8Array(valid.length + 4);
    trailing.set(valid);
    expect(codeOf(() => parseStunMessage(trailing))).toBe('MALFORMED');
  });

  it('[ICE2] refuses to encode a bad type or transaction id', () => {
    expect(codeOf(() => encodeStunMessage({ type: 0x4001, transactionId, attributes: [] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      codeOf(() =>
        encodeStunMessage({ type: 1, transactionId: new Uint8Array(16), attributes: [] }),
      ),
    ).toBe('INVALID_ARGUMENT');
  });
});

describe('attributes', () => {
  it('[ICE3] pads values to 4 bytes and round-trips unknown attributes opaquely', () => {
    const attributes = [
      { type: 0x7ff0, value: Uint8Array.of(1) },
      { type: 0xc001, value: Uint8Array.of(1, 2, 3, 4, 5) },
      { type: 0x0024, value: new Uint8Array(0) },
    ];
    const bytes = encodeStunMessage({ type: 0x0001, transactionId, attributes });
    expect(bytes.length).toBe(20 + (4 + 4) + (4 + 8) + 4);
    expect(Array.from(bytes.subarray(24, 28))).toEqual([1, 0, 0, 0]);
    const parsed = parseStunMessage(bytes);
    expect(parsed.attributes).toEqual(attributes);
    expect(parsed.hadFingerprint).toBe(false);
  });

  it('[ICE3] refuses an attribute that runs past the end', () => {
    const bytes = encodeStunMessage({
      type: 0x0001,
      transactionId,
      attributes: [{ type: 0x8001, value: new Uint8Array(8) }],
    });
    const view = new DataView(bytes.buffer);
    view.setUint16(22, 9); // padded to 12, only 8 bytes follow
    expect(codeOf(() => parseStunMessage(bytes))).toBe('MALFORMED');
    view.setUint16(22, 0xffff);
    expect(codeOf(() => parseStunMessage(bytes))).toBe('MALFORMED');
  });
});

describe('FINGERPRINT', () => {
  const message = {
    type: StunMessageType.BindingRequest,
    transactionId,
    attributes: [{ type: StunAttributeType.Software, value: encodeSoftware('poolnet') }],
  };

  it('[ICE4] is CRC-32 xor 0x5354554e over the message before it, length included', () => {
    const bytes = encodeStunMessage(message, { fingerprint: true });
    const body = bytes.subarray(0, bytes.length - 8);
    expect(new DataView(body.buffer).getUint16(2)).toBe(bytes.length - 20);
    expect(fingerprintOf(body)).toBe(new DataView(bytes.buffer).getUint32(bytes.length - 4));
    // Independent CRC-32 (bitwise, no table) to check fingerprintOf itself.
    let crc = 0xffffffff;
    for (const byte of body) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    expect(fingerprintOf(body)).toBe((crc ^ 0xffffffff ^ 0x5354554e) >>> 0);
    expect(parseStunMessage(bytes).hadFingerprint).toBe(true);
  });

  it('[ICE4] a flipped bit in the message or the CRC, or an attribute after it, is refused', () => {
    const bytes = encodeStunMessage(message, { fingerprint: true });
    for (let i = 0; i < bytes.length; i++) {
      // A flip in the FINGERPRINT's own type or length makes it another attribute.
      if (i >= bytes.length - 8 && i < bytes.length - 4) continue;
      const flipped = bytes.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      expect(['BAD_FINGERPRINT', 'MALFORMED', 'NOT_STUN']).toContain(
        codeOf(() => parseStunMessage(flipped)),
      );
    }
    const after = new Uint8Array(bytes.length + 4);
    after.set(bytes);
    after.set([0x80, 0x22, 0, 0], bytes.length);
    expect(codeOf(() => parseStunMessage(withLength(after, after.length - 20)))).toBe(
      'BAD_FINGERPRINT',
    );
    const wrongSize = encodeStunMessage({
      ...message,
      attributes: [{ type: StunAttributeType.Fingerprint, value: new Uint8Array(8) }],
    });
    expect(codeOf(() => parseStunMessage(wrongSize))).toBe('MALFORMED');
  });
});

describe('address and SOFTWARE values', () => {
  const addresses = [
    { family: 'IPv4', address: '127.0.0.1', port: 1 },
    { family: 'IPv4', address: '255.255.255.255', port: 65535 },
    { family: 'IPv6', address: '::1', port: 3478 },
    { family: 'IPv6', address: 'fe80::1:2', port: 0 },
    { family: 'IPv6', address: '2001:db8::', port: 40000 },
  ] as const;

  it('[ICE5] XOR-MAPPED-ADDRESS and MAPPED-ADDRESS round-trip IPv4 and IPv6', () => {
    for (const address of addresses) {
      expect(
        decodeXorMappedAddress(encodeXorMappedAddress(address, transactionId), transactionId),
      ).toEqual(address);
      expect(decodeMappedAddress(encodeMappedAddress(address))).toEqual(address);
    }
  });

  it('[ICE5] MAPPED-ADDRESS is the plain family, port and address bytes', () => {
    const value = encodeMappedAddress({ family: 'IPv4', address: '192.0.2.1', port: 32853 });
    expect(Buffer.from(value).toString('hex')).toBe('00018055c0000201');
  });

  it('[ICE5] refuses a bad family, a length that does not fit it, and bad input', () => {
    expect(codeOf(() => decodeMappedAddress(Uint8Array.of(0, 3, 0, 1, 1, 2, 3, 4)))).toBe(
      'MALFORMED',
    );
    expect(codeOf(() => decodeMappedAddress(Uint8Array.of(0, 1, 0, 1, 1, 2, 3)))).toBe('MALFORMED');
    expect(codeOf(() => decodeXorMappedAddress(new Uint8Array(8).fill(2), transactionId))).toBe(
      'MALFORMED',
    );
    expect(codeOf(() => decodeMappedAddress(new Uint8Array(0)))).toBe('MALFORMED');
    expect(codeOf(() => encodeMappedAddress({ family: 'IPv4', address: '::1', port: 1 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      codeOf(() => encodeMappedAddress({ family: 'IPv4', address: '1.2.3.4', port: 70000 })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('[ICE5] SOFTWARE is UTF-8 of at most 127 characters and 763 bytes', () => {
    expect(decodeSoftware(encodeSoftware('poolnet 1.0 ✓'))).toBe('poolnet 1.0 ✓');
    expect(codeOf(() => encodeSoftware('x'.repeat(128)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => decodeSoftware(Uint8Array.of(0xff, 0xfe)))).toBe('MALFORMED');
    expect(codeOf(() => decodeSoftware(new Uint8Array(764).fill(0x41)))).toBe('MALFORMED');
  });
});
