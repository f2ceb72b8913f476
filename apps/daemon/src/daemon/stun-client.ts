/**
 * Just enough of a STUN client (RFC 5389 Binding) for the NAT check: a request, and the mapped
 * address read back from a response. The sync server's codec is not imported because the
 * daemon would then load the whole server package at start; the client side is 20 bytes out
 * and one attribute in. Responses are untrusted bytes: anything unexpected is `undefined`,
 * never a throw.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { MappedAddress } from '@poolnet/device';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAPPED_ADDRESS = 0x0001;
const XOR_MAPPED_ADDRESS = 0x0020;
const HEADER_BYTES = 20;

export type { MappedAddress };

/** A Binding Request with a fresh random transaction id (no attributes). */
export function bindingRequest(): { bytes: Buffer; transactionId: Buffer } {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt16BE(BINDING_REQUEST, 0);
  bytes.writeUInt16BE(0, 2);
  bytes.writeUInt32BE(MAGIC_COOKIE, 4);
  const transactionId = randomBytes(12);
  transactionId.copy(bytes, 8);
  return { bytes, transactionId };
}

/**
 * The address a Binding Success Response for `transactionId` reports (XOR-MAPPED-ADDRESS, else
 * MAPPED-ADDRESS), or undefined for anything else: another transaction, an error response,
 * bad lengths. IPv4 and IPv6 are both read.
 */
export function mappedAddressIn(
  datagram: Uint8Array,
  transactionId: Uint8Array,
): MappedAddress | undefined {
  const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (bytes.length < HEADER_BYTES) return undefined;
  if (bytes.readUInt16BE(0) !== BINDING_SUCCESS) return undefined;
  if (bytes.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  if (HEADER_BYTES + bytes.readUInt16BE(2) !== bytes.length) return undefined;
  if (!bytes.subarray(8, HEADER_BYTES).equals(transactionId)) return undefined;
  let plain: MappedAddress | undefined;
  for (let offset = HEADER_BYTES; offset + 4 <= bytes.length;) {
    const type = bytes.readUInt16BE(offset);
    const length = bytes.readUInt16BE(offset + 2);
    const value = bytes.subarray(offset + 4, offset + 4 + length);
    if (value.length !== length) return undefined;
    if (type === XOR_MAPPED_ADDRESS) return decodeAddress(value, bytes.subarray(4, HEADER_BYTES));
    if (type === MAPPED_ADDRESS) plain ??= decodeAddress(value, undefined);
    offset += 4 + ((length + 3) & ~3);
  }
  return plain;
}

/** §15.1/§15.2: family, port and address, XORed with the cookie (+ transaction id) when asked. */
function decodeAddress(value: Buffer, xorKey: Buffer | undefined): MappedAddress | undefined {
  const family = value[1];
  const size = family === 1 ? 4 : family === 2 ? 16 : 0;
  if (size === 0 || value.length !== 4 + size) return undefined;
  const port = value.readUInt16BE(2) ^ (xorKey ? xorKey.readUInt16BE(0) : 0);
  const raw = Buffer.from(value.subarray(4));
  if (xorKey) for (let i = 0; i < raw.length; i++) raw[i] = (raw[i] ?? 0) ^ (xorKey[i] ?? 0);
  if (size === 4) return { address: [...raw].join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
  return { address: groups.join(':'), port };
}

/**
 * Ask one STUN server from `socket`, retransmitting (RFC 5389 §7.2.1: doubling from `rtoMs`)
 * until an answer, `timeoutMs` or `signal`. Resolves with the mapped address, else undefined.
 */
export function askStun(
  socket: Socket,
  server: { readonly host: string; readonly port: number },
  options: { readonly rtoMs: number; readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<MappedAddress | undefined> {
  const { bytes, transactionId } = bindingRequest();
  return new Promise((resolve) => {
    let rto = options.rtoMs;
    let retransmit: NodeJS.Timeout | undefined;
    const send = () => {
      socket.send(bytes, server.port, server.host, () => undefined);
      retransmit = setTimeout(send, rto);
      rto *= 2;
    };
    const finish = (answer: MappedAddress | undefined) => {
      clearTimeout(retransmit);
      clearTimeout(deadline);
      socket.off('message', onMessage);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = () => finish(undefined);
    const onMessage = (datagram: Buffer) => {
      const mapped = mappedAddressIn(datagram, transactionId);
      if (mapped) finish(mapped);
    };
    const deadline = setTimeout(() => finish(undefined), options.timeoutMs);
    if (options.signal?.aborted) return finish(undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('message', onMessage);
    send();
  });
}
