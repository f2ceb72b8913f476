/**
 * The Package: the envelope of every node-to-node frame. This codec runs on every hop of
 * every package, so its checks are the cheap envelope rules; a pool message inside stays as
 * signed bytes until the receiver that delivers it calls decodePoolMessage.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { type Chunk, type Package, PackageSchema } from './gen/poolnet/v1/node_pb.js';
import { ProtocolError } from './errors.js';
import { checkDirectMessage } from './direct-message.js';
import {
  checkBytes,
  checkCount,
  checkId,
  checkIds,
  checkPath,
  checkSafeUint64,
  checkSlot,
  invalid,
} from './field-checks.js';
import { decodeFrame, encodeFrame, type FrameRules } from './frame.js';
import {
  MAX_ACK_IDS,
  MAX_CHUNK_SIZE,
  MAX_DESTS,
  MAX_HOPS,
  MAX_PACKAGE_BYTES,
  MAX_PROMISES,
} from './limits.js';
import { checkChunkRanges } from './chunk-ranges.js';
import { checkSignedPoolMessage } from './signed-pool-message.js';
import { PROTOCOL_VERSION } from './version.js';

/** [WIRE18] A file id, an index <= 2^53-1 and 1..MAX_CHUNK_SIZE bytes of data. */
function checkChunk(chunk: Chunk): void {
  checkId(chunk.fileId, 'body.chunk.file_id');
  checkSafeUint64(chunk.index, 'body.chunk.index');
  checkBytes(chunk.data, 1, MAX_CHUNK_SIZE, 'body.chunk.data');
}

/**
 * [WIRE4] version = PROTOCOL_VERSION; [WIRE8] a source with a valid node id, path and slot,
 * at most MAX_DESTS destinations each with a valid node id and path, a lane 0..2 if set,
 * hops <= MAX_HOPS, and exactly one body that follows its own rule.
 */
export function checkPackage(pkg: Package): void {
  if (pkg.version !== PROTOCOL_VERSION) {
    throw new ProtocolError('UNSUPPORTED_VERSION', { field: 'version', detail: `${pkg.version}` });
  }
  const src = pkg.src;
  if (src === undefined) throw invalid('src', 'missing');
  checkId(src.nodeId, 'src.node_id');
  checkPath(src.path, 'src.path');
  checkSlot(src.slot, 'src.slot');
  const dests = pkg.dests;
  checkCount(dests.length, MAX_DESTS, 'dests');
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i];
    if (dest === undefined) throw invalid('dests', 'hole in list');
    checkId(dest.nodeId, 'dests[].node_id');
    checkPath(dest.path, 'dests[].path');
  }
  if (pkg.lane !== undefined) checkSlot(pkg.lane, 'lane');
  if (pkg.hops > MAX_HOPS) throw invalid('hops', `more than ${MAX_HOPS}`);
  checkPromises(pkg);
  const body = pkg.body;
  switch (body.case) {
    case 'pool':
      return checkSignedPoolMessage(body.value, 'body.pool');
    case 'direct':
      return checkDirectMessage(body.value);
    case 'chunk':
      return checkChunk(body.value);
    case 'ack':
      // [WIRE26] An ack names 1..MAX_ACK_IDS message ids and is always directed.
      if (body.value.messageIds.length === 0) throw invalid('body.ack.message_ids', 'empty');
      if (pkg.dests.length === 0) throw invalid('dests', 'an ack needs a destination');
      return checkIds(body.value.messageIds, MAX_ACK_IDS, 'body.ack.message_ids');
    case undefined:
      throw invalid('body', 'no body');
  }
}

/**
 * [WIRE17a] At most MAX_PROMISES promises, each by a valid node id with 1.. valid ranges, and
 * only on a directed pool message (a file request on its way).
 */
function checkPromises(pkg: Package): void {
  if (pkg.promised.length === 0) return;
  if (pkg.body.case !== 'pool' || pkg.dests.length === 0) {
    throw invalid('promised', 'only a directed pool message carries promises');
  }
  checkCount(pkg.promised.length, MAX_PROMISES, 'promised');
  for (const promise of pkg.promised) {
    checkId(promise.nodeId, 'promised[].node_id');
    if (promise.ranges.length === 0) throw invalid('promised[].ranges', 'a promise of nothing');
    checkChunkRanges(promise.ranges, 'promised[].ranges');
  }
}

const rules: FrameRules<typeof PackageSchema> = {
  schema: PackageSchema,
  maxBytes: MAX_PACKAGE_BYTES,
  check: checkPackage,
};

/** Encodes a package for a data channel, after checking the rules a receiver will apply. */
export const encodePackage = (pkg: MessageInitShape<typeof PackageSchema>): Uint8Array =>
  encodeFrame(rules, pkg);

/** Decodes one data-channel frame. Throws only ProtocolError. */
export const decodePackage = (bytes: Uint8Array): Package => decodeFrame(rules, bytes);
