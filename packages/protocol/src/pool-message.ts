/**
 * Pool messages: what a node says to the whole pool. Their encoding is what the author
 * signs (SignedPoolMessage.body), so they are decoded by the receiver that delivers them,
 * never by relays.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  type FileOffer,
  type FileRequest,
  type MediaOffer,
  type NodeInfo,
  type PoolMessage,
  PoolMessageSchema,
} from './gen/poolnet/v1/node_pb.js';
import { checkChunkRanges } from './chunk-ranges.js';
import { checkFileInfo, checkFileName } from './file-info.js';
import {
  checkBytes,
  checkCount,
  checkId,
  checkOptionalId,
  checkUtf8,
  invalid,
} from './field-checks.js';
import { decodeFrame, encodeFrame, type FrameRules } from './frame.js';
import {
  MAX_DEVICE_NAME_BYTES,
  MAX_OFFER_FILES,
  MAX_POOL_MESSAGE_BYTES,
  MAX_PREVIEW_BYTES,
  MAX_SAFE_UINT64,
  MAX_TEXT_BYTES,
} from './limits.js';

/** [WIRE14] At most MAX_OFFER_FILES offers, each a valid FileInfo; a short device name. */
function checkNodeInfo(info: NodeInfo): void {
  checkCount(info.offers.length, MAX_OFFER_FILES, 'content.node_info.offers');
  for (const file of info.offers) checkFileInfo(file, 'content.node_info.offers[]');
  checkUtf8(info.deviceName, 0, MAX_DEVICE_NAME_BYTES, 'content.node_info.device_name');
}

/** [WIRE14] 1..MAX_OFFER_FILES valid files; a folder id and a safe folder name. */
function checkFileOffer(offer: FileOffer): void {
  if (offer.files.length === 0) throw invalid('content.file_offer.files', 'no files');
  checkCount(offer.files.length, MAX_OFFER_FILES, 'content.file_offer.files');
  for (const file of offer.files) checkFileInfo(file, 'content.file_offer.files[]');
  checkOptionalId(offer.folderId, 'content.file_offer.folder_id');
  // A folder offer's name becomes a directory on the receiver: one safe path segment.
  if (offer.folderId !== '' || offer.folderName !== '') {
    checkFileName(offer.folderName, 'content.file_offer.folder_name');
  }
}

/** [WIRE15] A valid file and a preview of at most MAX_PREVIEW_BYTES. */
function checkMediaOffer(offer: MediaOffer): void {
  checkFileInfo(offer.file, 'content.media_offer.file');
  checkBytes(offer.preview, 0, MAX_PREVIEW_BYTES, 'content.media_offer.preview');
}

/** [WIRE17] A file id and valid requested ranges. */
function checkFileRequest(request: FileRequest): void {
  checkId(request.fileId, 'content.file_request.file_id');
  checkChunkRanges(request.requested, 'content.file_request.requested');
}

/**
 * [WIRE11] Ids, a creation time in 1..2^53-1 ms and exactly one content, which must follow
 * its own rule.
 */
export function checkPoolMessage(message: PoolMessage): void {
  checkId(message.id, 'id');
  checkId(message.authorNodeId, 'author_node_id');
  checkId(message.userId, 'user_id');
  if (message.createdMs === 0n || message.createdMs > MAX_SAFE_UINT64) {
    throw invalid('created_ms', 'not in 1..2^53-1');
  }
  const content = message.content;
  switch (content.case) {
    case 'nodeInfo':
      return checkNodeInfo(content.value);
    case 'text':
      // [WIRE12]
      return checkUtf8(content.value.text, 1, MAX_TEXT_BYTES, 'content.text.text');
    case 'fileOffer':
      return checkFileOffer(content.value);
    case 'mediaOffer':
      return checkMediaOffer(content.value);
    case 'fileRequest':
      return checkFileRequest(content.value);
    case 'retractOffer':
      return checkId(content.value.fileId, 'content.retract_offer.file_id');
    case 'retractRequest':
      return checkId(content.value.fileId, 'content.retract_request.file_id');
    case undefined:
      throw invalid('content', 'no content');
  }
}

const rules: FrameRules<typeof PoolMessageSchema> = {
  schema: PoolMessageSchema,
  maxBytes: MAX_POOL_MESSAGE_BYTES,
  check: checkPoolMessage,
};

/** Encodes a pool message; the result is what the author signs. */
export const encodePoolMessage = (
  message: MessageInitShape<typeof PoolMessageSchema>,
): Uint8Array => encodeFrame(rules, message);

/** Decodes SignedPoolMessage.body. Throws only ProtocolError. */
export const decodePoolMessage = (bytes: Uint8Array): PoolMessage => decodeFrame(rules, bytes);
