/**
 * IP address literals to and from network-order bytes. STUN carries addresses as raw bytes
 * (XOR-MAPPED-ADDRESS, MAPPED-ADDRESS) while `node:dgram` reports them as strings, so the
 * responder needs both directions; `node:net` validates literals but gives no bytes.
 */

import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'IPv4' | 'IPv6';

/** An IP address and port, as a transport address is written in STUN. */
export interface TransportAddress {
  readonly family: IpFamily;
  /** Dotted quad for IPv4, RFC 5952 text for IPv6 (no zone id). */
  readonly address: string;
  readonly port: number;
}

/** The 4 or 16 bytes of an IP literal, or undefined if it is not one. A zone id is dropped. */
export function ipToBytes(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return ipv4ToBytes(text);
  const zone = text.indexOf('%');
  const bare = zone === -1 ? text : text.slice(0, zone);
  return isIPv6(bare) ? ipv6ToBytes(bare) : undefined;
}

/** The text of 4 or 16 address bytes; IPv4-mapped IPv6 is written `::ffff:a.b.c.d`. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16)
    throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (isIpv4Mapped(bytes)) return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  return formatIpv6Groups(groups);
}

/** True for `::ffff:a.b.c.d`, which a dual-stack socket reports for an IPv4 peer. */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function ipv4ToBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map((part) => Number(part)));
}

/** `text` is already known to be a valid IPv6 literal without zone id. */
function ipv6ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let groupsText = text;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    tail = ipv4ToBytes(last);
    groupsText = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = groupsText.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = 8 - headGroups.length - restGroups.length;
  const groups = [
    ...headGroups,
    ...new Array<string>(rest === undefined ? 0 : zeros).fill('0'),
    ...restGroups,
  ];
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  if (tail !== undefined) out.set(tail, 12);
  return out;
}

/** RFC 5952 §4: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIpv6Groups(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}
