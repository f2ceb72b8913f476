/**
 * @poolnet/protocol: the single source of truth for the Poolnet wire. Generated schemas
 * and types (create them with `create(XSchema, {...})`), the codecs that bound and validate
 * them, limits, the protocol version, typed errors and branded ids.
 */

// Fast UTF-8 for short ASCII strings, installed into protobuf-es first.
import './utf8.js';

// Generated from proto/poolnet/v1 (`npm run proto`): <Name> is the message type,
// <Name>Schema its descriptor, enums are TypeScript enums.
export * from './gen/poolnet/v1/device_pb.js';
export * from './gen/poolnet/v1/errors_pb.js';
export * from './gen/poolnet/v1/node_pb.js';
export * from './gen/poolnet/v1/signal_pb.js';
// The protobuf-es runtime functions callers need, so they need not depend on it directly.
export { clone, create, equals, fromBinary, isMessage, toBinary } from '@bufbuild/protobuf';
export type { MessageInitShape } from '@bufbuild/protobuf';

// Codecs: decoders throw only ProtocolError; encoders refuse what a decoder would reject.
export { decodePackage, encodePackage, checkPackage } from './package.js';
export { signedPoolMessageBytes, withHops } from './package-frame.js';
export { decodePoolMessage, encodePoolMessage, checkPoolMessage } from './pool-message.js';
export {
  decodeSignedPoolMessage,
  encodeSignedPoolMessage,
  checkSignedPoolMessage,
} from './signed-pool-message.js';
export { checkDirectMessage } from './direct-message.js';
export { decodeClientFrame, encodeClientFrame, checkClientFrame } from './client-frame.js';
export { decodeServerFrame, encodeServerFrame, checkServerFrame } from './server-frame.js';

// Topology positions, certificates, files.
export {
  type PanelRow,
  type PlainPosition,
  checkPosition,
  positionFromWire,
  positionToWire,
} from './position.js';
export {
  type CertificateFields,
  certificateSigningBytes,
  poolMessageSigningBytes,
  checkDeviceCertificate,
  checkDeviceInfo,
} from './device.js';
export { checkFileInfo, checkFileName, checkRelativePath, chunkCount } from './file-info.js';
export { checkChunkRanges } from './chunk-ranges.js';
export { checkId, checkPath, checkSlot, utf8ByteLength } from './field-checks.js';

export {
  ProtocolError,
  type ProtocolErrorCode,
  type ProtocolErrorOptions,
  isProtocolError,
  toWireErrorCode,
  fromWireErrorCode,
  serverErrorFrom,
  protocolErrorFromServer,
} from './errors.js';
export * from './limits.js';
export { PROTOCOL_VERSION } from './version.js';
export * from './ids.js';
