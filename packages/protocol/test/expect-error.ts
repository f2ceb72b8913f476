import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { expect } from 'vitest';
import { ProtocolError, type ProtocolErrorCode } from '../src/index.js';

/** Runs fn, asserts it throws a ProtocolError with this code (and field, when given). */
export function expectProtocolError(
  fn: () => unknown,
  code: ProtocolErrorCode,
  field?: string,
): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a ProtocolError').toBeInstanceOf(ProtocolError);
  const err = thrown as ProtocolError;
  expect(err.code, err.message).toBe(code);
  if (field !== undefined) expect(err.field, err.message).toBe(field);
  return err;
}

/** Encodes without any Poolnet rule: how a broken or hostile peer produces frames. */
export const raw = <Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>) =>
  toBinary(schema, create(schema, init));
