/**
 * The one place bytes meet @bufbuild/protobuf. Decoding checks the size before parsing
 * ([WIRE1]), turns any parser exception into MALFORMED_FRAME ([WIRE2]) and then applies the
 * message's rules, so callers only ever see a valid message or a ProtocolError ([WIRE3]).
 * Encoding applies the same rules first, so we never send what a peer would reject ([WIRE23]).
 */
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { ProtocolError } from './errors.js';

/** How one kind of frame is bounded and validated. */
export interface FrameRules<Desc extends DescMessage> {
  readonly schema: Desc;
  /** Frames larger than this are rejected unparsed. */
  readonly maxBytes: number;
  /** Throws ProtocolError for the first rule the message breaks. */
  readonly check: (message: MessageShape<Desc>) => void;
}

// Unknown fields are kept so a relay re-emits fields added by newer peers ([WIRE25]).
const READ_OPTIONS = { readUnknownFields: true } as const;

export function decodeFrame<Desc extends DescMessage>(
  rules: FrameRules<Desc>,
  bytes: Uint8Array,
): MessageShape<Desc> {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError('MALFORMED_FRAME', { detail: 'frame is not a Uint8Array' });
  }
  if (bytes.byteLength > rules.maxBytes) {
    throw new ProtocolError('FRAME_TOO_LARGE', {
      detail: `${bytes.byteLength} bytes, limit ${rules.maxBytes}`,
    });
  }
  let message: MessageShape<Desc>;
  try {
    message = fromBinary(rules.schema, bytes, READ_OPTIONS);
  } catch (cause) {
    throw new ProtocolError('MALFORMED_FRAME', { detail: rules.schema.typeName, cause });
  }
  try {
    rules.check(message);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    // A validator that throws anything else on a parsed message is a bug in this package.
    throw new ProtocolError('INTERNAL', { detail: 'validator failed', cause: err });
  }
  return message;
}

export function encodeFrame<Desc extends DescMessage>(
  rules: FrameRules<Desc>,
  init: MessageInitShape<Desc>,
  options: { readonly check?: boolean } = {},
): Uint8Array {
  let bytes: Uint8Array;
  try {
    const message = create(rules.schema, init);
    if (options.check !== false) rules.check(message);
    bytes = toBinary(rules.schema, message);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    // Wrong JS types in the init object (a string path, a negative uint32, ...).
    throw new ProtocolError('INVALID_FIELD', { detail: String(err), cause: err });
  }
  if (bytes.byteLength > rules.maxBytes) {
    throw new ProtocolError('FRAME_TOO_LARGE', {
      detail: `${rules.schema.typeName} encodes to ${bytes.byteLength} bytes, limit ${rules.maxBytes}`,
    });
  }
  return bytes;
}
