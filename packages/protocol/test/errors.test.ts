import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  ProtocolError,
  type ProtocolErrorCode,
  create,
  fromWireErrorCode,
  isProtocolError,
  protocolErrorFromServer,
  ServerErrorSchema,
  serverErrorFrom,
  toWireErrorCode,
} from '../src/index.js';

const codes: ProtocolErrorCode[] = [
  'MALFORMED_FRAME',
  'FRAME_TOO_LARGE',
  'UNSUPPORTED_VERSION',
  'INVALID_FIELD',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'CONFLICT',
  'EXPIRED',
  'INTERNAL',
  'BAD_SIGNATURE',
];

describe('ProtocolError', () => {
  it('carries a code, the field and the cause', () => {
    const cause = new Error('inner');
    const err = new ProtocolError('INVALID_FIELD', { field: 'src.path', detail: 'empty', cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ProtocolError');
    expect(err.code).toBe('INVALID_FIELD');
    expect(err.field).toBe('src.path');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('INVALID_FIELD at src.path: empty');
    expect(isProtocolError(err, 'INVALID_FIELD')).toBe(true);
    expect(isProtocolError(err, 'INTERNAL')).toBe(false);
    expect(isProtocolError(cause)).toBe(false);
  });

  it('[WIRE24] every code maps to its own wire value and back', () => {
    const wire = codes.map(toWireErrorCode);
    expect(new Set(wire).size).toBe(codes.length);
    expect(wire).not.toContain(ErrorCode.UNSPECIFIED);
    for (const code of codes) expect(fromWireErrorCode(toWireErrorCode(code))).toBe(code);
    expect(toWireErrorCode('MALFORMED_FRAME')).toBe(ErrorCode.MALFORMED_FRAME);
  });

  it('[WIRE24] UNSPECIFIED and codes from a newer peer become INTERNAL', () => {
    expect(fromWireErrorCode(ErrorCode.UNSPECIFIED)).toBe('INTERNAL');
    expect(fromWireErrorCode(999)).toBe('INTERNAL');
  });

  it('[WIRE24] a non-protocol error reaches the wire as a bare INTERNAL, without its message', () => {
    const wire = serverErrorFrom(new Error('SQLITE_BUSY at /var/lib/poolnet/db'), 4);
    expect(wire).toEqual(
      create(ServerErrorSchema, { code: ErrorCode.INTERNAL, message: 'INTERNAL', seq: 4 }),
    );
  });

  it('[WIRE24] a ProtocolError keeps its code and text on the wire, and comes back as one', () => {
    const wire = serverErrorFrom(new ProtocolError('FORBIDDEN', { detail: 'not a member' }), 2);
    expect(wire.code).toBe(ErrorCode.FORBIDDEN);
    expect(wire.seq).toBe(2);
    expect(wire.message).toBe('FORBIDDEN: not a member');
    const back = protocolErrorFromServer(wire);
    expect(back.code).toBe('FORBIDDEN');
  });
});
