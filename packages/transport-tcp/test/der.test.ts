import { describe, expect, it } from 'vitest';
import {
  bitString,
  explicit,
  integer,
  nullValue,
  oid,
  sequence,
  set,
  time,
  tlv,
} from '../src/der.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('DER encoder', () => {
  it('encodes lengths in short form below 128 and long form above', () => {
    expect(hex(tlv(0x04, new Uint8Array(0)))).toBe('0400');
    expect(hex(tlv(0x04, new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, new Uint8Array(255))).slice(0, 6)).toBe('0481ff');
    expect(hex(tlv(0x04, new Uint8Array(256))).slice(0, 8)).toBe('04820100');
    expect(hex(tlv(0x04, new Uint8Array(70_000))).slice(0, 10)).toBe('0483011170');
    expect(tlv(0x04, new Uint8Array(70_000)).byteLength).toBe(70_005);
  });

  it('encodes non-negative integers minimally, with a zero byte before a high bit', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(256))).toBe('02020100');
    expect(hex(integer(Uint8Array.from([0, 0, 0x12])))).toBe('020112');
    expect(hex(integer(Uint8Array.from([0, 0x80])))).toBe('02020080');
    expect(hex(integer(Uint8Array.from([0xff, 0x01])))).toBe('020300ff01');
    expect(hex(integer(new Uint8Array(0)))).toBe('020100');
    expect(() => integer(-1)).toThrow(RangeError);
  });

  it('encodes object identifiers with base-128 arcs', () => {
    expect(hex(oid('2.5.4.3'))).toBe('0603550403');
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('1.2.840.10045.2.1'))).toBe('06072a8648ce3d0201');
    expect(hex(oid('1.3.101.112'))).toBe('06032b6570');
    expect(() => oid('1')).toThrow(RangeError);
    expect(() => oid('3.1')).toThrow(RangeError);
    expect(() => oid('1.40')).toThrow(RangeError);
    expect(() => oid('1.2.x')).toThrow(RangeError);
  });

  it('encodes times as UTCTime before 2050 and GeneralizedTime from 2050', () => {
    const utc = time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(Buffer.from(utc).toString('latin1')).toBe('\x17\x0d260102030405Z');
    const generalized = time(new Date(Date.UTC(2050, 11, 31, 23, 59, 59)));
    expect(Buffer.from(generalized).toString('latin1')).toBe('\x18\x0f20501231235959Z');
    expect(Buffer.from(time(new Date(Date.UTC(1950, 0, 1)))).toString('latin1')).toBe(
      '\x17\x0d500101000000Z',
    );
  });

  it('builds sequences, sorted sets, bit strings, null and explicit tags', () => {
    expect(hex(sequence(integer(1), nullValue()))).toBe('30050201010500');
    expect(hex(set(integer(2), integer(1)))).toBe('3106020101020102');
    expect(hex(bitString(Uint8Array.from([0xab])))).toBe('030200ab');
    expect(hex(explicit(0, integer(2)))).toBe('a003020102');
    expect(hex(explicit(3, sequence()))).toBe('a3023000');
    expect(() => explicit(31, nullValue())).toThrow(RangeError);
  });
});
