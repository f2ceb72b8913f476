/**
 * What the STUN responder answers to one datagram, without the socket: a pure function, so the
 * decision (answer, ignore, drop as malformed) is testable byte for byte and the work per
 * datagram is plainly bounded: one size check, one linear parse, one small response.
 */

import { StunError } from './errors.js';
import { bytesToIp, ipToBytes, isIpv4Mapped, type TransportAddress } from './ip-address.js';
import { encodeXorMappedAddress } from './stun-attributes.js';
import {
  encodeStunMessage,
  parseStunMessage,
  StunAttributeType,
  StunMessageType,
  type StunAttribute,
} from './stun-message.js';

/**
 * Larger datagrams are dropped unread ([ICE7]). A Binding Request needs 20 bytes, ICE adds a few
 * attributes; 1280 (the IPv6 minimum MTU) leaves room and caps the parse at ~320 attributes.
 */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1280;

/** The outcome for one datagram; the server turns `respond` into a send and counts the rest. */
export type BindingOutcome =
  | { readonly kind: 'respond'; readonly response: Uint8Array; readonly mapped: TransportAddress }
  /** Not STUN, or STUN that breaks a length, cookie or fingerprint rule, or too large. */
  | { readonly kind: 'malformed'; readonly reason: string }
  /** Valid STUN but not a Binding Request (an indication, a response, another method). */
  | { readonly kind: 'ignored' };

export interface BindingResponderOptions {
  /** Encoded SOFTWARE value to put in every response, or undefined for none. */
  readonly software: Uint8Array | undefined;
  readonly maxDatagramBytes: number;
}

/**
 * Answer a Binding Request with a Binding Success Response (RFC 5389 §7.3.1, §10.1.2): same
 * transaction id, XOR-MAPPED-ADDRESS = `remote` as the socket saw it, SOFTWARE, FINGERPRINT.
 * Attributes of the request are not acted on: this responder has no credentials to check, and
 * the ICE checks that carry MESSAGE-INTEGRITY run between peers, not against it.
 */
export function answerDatagram(
  datagram: Uint8Array,
  remote: { readonly address: string; readonly port: number },
  options: BindingResponderOptions,
): BindingOutcome {
  if (datagram.length > options.maxDatagramBytes) {
    return { kind: 'malformed', reason: `${datagram.length} bytes is over the limit` };
  }
  let request;
  try {
    request = parseStunMessage(datagram);
  } catch (error) {
    if (error instanceof StunError) return { kind: 'malformed', reason: error.code };
    throw error;
  }
  if (request.type !== StunMessageType.BindingRequest) return { kind: 'ignored' };

  const mapped = mappedAddressOf(remote);
  if (mapped === undefined) return { kind: 'malformed', reason: 'unusable source address' };
  const attributes: StunAttribute[] = [
    {
      type: StunAttributeType.XorMappedAddress,
      value: encodeXorMappedAddress(mapped, request.transactionId),
    },
  ];
  if (options.software !== undefined) {
    attributes.push({ type: StunAttributeType.Software, value: options.software });
  }
  const response = encodeStunMessage(
    {
      type: StunMessageType.BindingSuccessResponse,
      transactionId: request.transactionId,
      attributes,
    },
    { fingerprint: true },
  );
  return { kind: 'respond', response, mapped };
}

/**
 * The requester's transport address as STUN should report it. A dual-stack socket reports an
 * IPv4 peer as `::ffff:a.b.c.d`; the peer knows itself as IPv4, so it gets an IPv4 address back.
 */
export function mappedAddressOf(remote: {
  readonly address: string;
  readonly port: number;
}): TransportAddress | undefined {
  const bytes = ipToBytes(remote.address);
  if (bytes === undefined) return undefined;
  if (bytes.length === 4) return { family: 'IPv4', address: bytesToIp(bytes), port: remote.port };
  if (isIpv4Mapped(bytes)) {
    return { family: 'IPv4', address: bytesToIp(bytes.subarray(12)), port: remote.port };
  }
  return { family: 'IPv6', address: bytesToIp(bytes), port: remote.port };
}
