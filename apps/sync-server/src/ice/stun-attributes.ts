/**
 * Values of the STUN attributes the responder reads or writes: XOR-MAPPED-ADDRESS,
 * MAPPED-ADDRESS and SOFTWARE (RFC 5389 §15). Decoders take untrusted bytes and throw only
 * `StunError`; encoders refuse values the wire cannot carry.
 */

import { StunError } from './errors.js';
import { bytesToIp, ipToBytes, type IpFamily, type TransportAddress } from './ip-address.js';
import { MAGIC_COOKIE, TRANSACTION_ID_BYTES } from './stun-message.js';

/** §15.10: SOFTWARE is fewer than 128 characters and at most 763 bytes of UTF-8. */
export const MAX_SOFTWARE_CHARACTERS = 127;
export const MAX_SOFTWARE_BYTES = 763;

const FAMILY_CODE: Record<IpFamily, number> = { IPv4: 0x01, IPv6: 0x02 };
const ADDRESS_BYTES: Record<IpFamily, number> = { IPv4: 4, IPv6: 16 };
const COOKIE_BYTES = new Uint8Array(4);
new DataView(COOKIE_BYTES.buffer).setUint32(0, MAGIC_COOKIE);
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * XOR-MAPPED-ADDRESS (§15.2): the address the server saw, XORed with the magic cookie (and the
 * transaction id for IPv6) so that NATs rewriting addresses in payloads leave it alone.
 */
export function encodeXorMappedAddress(
  address: TransportAddress,
  transactionId: Uint8Array,
): Uint8Array {
  const value = encodeMappedAddress(address);
  xorInPlace(value, xorKey(address.family, transactionId));
  return value;
}

export function decodeXorMappedAddress(
  value: Uint8Array,
  transactionId: Uint8Array,
): TransportAddress {
  const family = familyOf(value);
  const plain = value.slice();
  xorInPlace(plain, xorKey(family, transactionId));
  return decodeMappedAddress(plain);
}

/** MAPPED-ADDRESS (§15.1): a reserved byte, the family, the port and the raw address bytes. */
export function encodeMappedAddress(address: TransportAddress): Uint8Array {
  const bytes = ipToBytes(address.address);
  if (bytes === undefined || bytes.length !== ADDRESS_BYTES[address.family]) {
    throw new StunError(
      'INVALID_ARGUMENT',
      `${address.address} is not an ${address.family} address`,
    );
  }
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 0xffff) {
    throw new StunError('INVALID_ARGUMENT', `port ${address.port} is not 16 bits`);
  }
  const value = new Uint8Array(4 + bytes.length);
  value[1] = FAMILY_CODE[address.family];
  value[2] = address.port >> 8;
  value[3] = address.port & 0xff;
  value.set(bytes, 4);
  return value;
}

export function decodeMappedAddress(value: Uint8Array): TransportAddress {
  const family = familyOf(value);
  // The first byte is reserved: senders write 0, receivers ignore it (§15.1).
  const port = ((value[2] ?? 0) << 8) | (value[3] ?? 0);
  return { family, address: bytesToIp(value.subarray(4)), port };
}

/** SOFTWARE (§15.10): a human-readable product name, for diagnostics only. */
export function encodeSoftware(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  if ([...text].length > MAX_SOFTWARE_CHARACTERS || bytes.length > MAX_SOFTWARE_BYTES) {
    throw new StunError('INVALID_ARGUMENT', 'SOFTWARE is limited to 127 characters, 763 bytes');
  }
  return bytes;
}

export function decodeSoftware(value: Uint8Array): string {
  if (value.length > MAX_SOFTWARE_BYTES) {
    throw new StunError('MALFORMED', `SOFTWARE of ${value.length} bytes`);
  }
  try {
    return utf8Decoder.decode(value);
  } catch (cause) {
    throw new StunError('MALFORMED', 'SOFTWARE is not UTF-8', { cause });
  }
}

/** The family byte, checked against the value length so that reading the address is safe. */
function familyOf(value: Uint8Array): IpFamily {
  const family =
    value[1] === FAMILY_CODE.IPv4 ? 'IPv4' : value[1] === FAMILY_CODE.IPv6 ? 'IPv6' : undefined;
  if (family === undefined) throw new StunError('MALFORMED', `address family ${value[1]}`);
  if (value.length !== 4 + ADDRESS_BYTES[family]) {
    throw new StunError('MALFORMED', `${family} address attribute of ${value.length} bytes`);
  }
  return family;
}

/** Port XOR the cookie's top 16 bits; address XOR cookie (IPv4) or cookie + transaction id. */
function xorKey(family: IpFamily, transactionId: Uint8Array): Uint8Array {
  if (transactionId.length !== TRANSACTION_ID_BYTES) {
    throw new StunError('INVALID_ARGUMENT', `a transaction id has ${TRANSACTION_ID_BYTES} bytes`);
  }
  const key = new Uint8Array(4 + ADDRESS_BYTES[family]);
  key.set(COOKIE_BYTES.subarray(0, 2), 2);
  key.set(COOKIE_BYTES, 4);
  if (family === 'IPv6') key.set(transactionId, 8);
  return key;
}

function xorInPlace(target: Uint8Array, key: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (key[i] ?? 0);
}
