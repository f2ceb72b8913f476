/** Signalling blobs of a broken or hostile peer, shared by the codec and link tests. */
import { MAX_SIGNAL_PAYLOAD_BYTES } from '@poolnet/protocol';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const FP = 'ab'.repeat(32);
export const offer = {
  v: 1,
  t: 'offer',
  s: '0123456789abcdef01234567',
  fp: FP,
  m: 262_144,
  c: [{ h: '127.0.0.1', p: 4000 }],
};
export const json = (patch: Record<string, unknown>): Uint8Array =>
  text(JSON.stringify({ ...offer, ...patch }));

/** Blobs a broken or hostile peer might send; each must be refused with BAD_SIGNAL. */
export const HOSTILE_SIGNALS: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['empty', new Uint8Array(0)],
  ['bad UTF-8', Uint8Array.from([0xff, 0xfe, 0x00])],
  ['not JSON', text('{"v":1,')],
  ['JSON null', text('null')],
  ['JSON array', text('[1,2]')],
  ['JSON string', text('"offer"')],
  ['oversized', new Uint8Array(MAX_SIGNAL_PAYLOAD_BYTES + 1).fill(0x20)],
  ['no version', json({ v: undefined })],
  ['future version', json({ v: 2 })],
  ['version as string', json({ v: '1' })],
  ['unknown type', json({ t: 'hello' })],
  ['session too short', json({ s: 'abc' })],
  ['session with capitals', json({ s: 'ABCDEFGHIJ' })],
  ['session as number', json({ s: 12345678 })],
  ['fingerprint missing', json({ fp: undefined })],
  ['fingerprint short', json({ fp: 'ab' })],
  ['fingerprint uppercase', json({ fp: 'AB'.repeat(32) })],
  ['maxMessageBytes missing', json({ m: undefined })],
  ['maxMessageBytes tiny', json({ m: 1 })],
  ['maxMessageBytes huge', json({ m: 2 ** 40 })],
  ['maxMessageBytes fractional', json({ m: 2048.5 })],
  ['candidates not a list', json({ c: { h: '127.0.0.1', p: 1 } })],
  [
    'too many candidates',
    json({ c: Array.from({ length: 17 }, (_, i) => ({ h: '10.0.0.1', p: 1000 + i })) }),
  ],
  ['candidate null', json({ c: [null] })],
  ['candidate host name', json({ c: [{ h: 'evil.example', p: 443 }] })],
  ['candidate host with spaces', json({ c: [{ h: ' 127.0.0.1', p: 443 }] })],
  ['candidate port 0', json({ c: [{ h: '127.0.0.1', p: 0 }] })],
  ['candidate port too big', json({ c: [{ h: '127.0.0.1', p: 70_000 }] })],
  ['candidate port string', json({ c: [{ h: '127.0.0.1', p: '443' }] })],
  ['candidate unspecified v4', json({ c: [{ h: '0.0.0.0', p: 443 }] })],
  ['candidate unspecified v6', json({ c: [{ h: '::', p: 443 }] })],
  ['candidate broadcast', json({ c: [{ h: '255.255.255.255', p: 443 }] })],
  ['candidate multicast v4', json({ c: [{ h: '239.1.2.3', p: 443 }] })],
  ['candidate multicast v6', json({ c: [{ h: 'ff02::1', p: 443 }] })],
  ['candidate with scope id', json({ c: [{ h: 'fe80::1%eth0', p: 443 }] })],
  ['proto key', text('{"__proto__":{"v":1},"t":"offer"}')],
];
