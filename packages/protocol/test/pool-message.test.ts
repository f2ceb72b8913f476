import { describe, expect, it } from 'vitest';
import type { DeviceType } from '../src/index.js';
import {
  MAX_FILE_NAME_BYTES,
  MAX_OFFER_FILES,
  MAX_POOL_MESSAGE_BYTES,
  MAX_PREVIEW_BYTES,
  MAX_RANGES,
  MAX_RELATIVE_PATH_BYTES,
  MAX_TEXT_BYTES,
  MAX_CHUNK_SIZE,
  PoolMessageSchema,
  SignedPoolMessageSchema,
  chunkCount,
  create,
  decodePoolMessage,
  decodeSignedPoolMessage,
  encodePoolMessage,
  encodeSignedPoolMessage,
  type MessageInitShape,
} from '../src/index.js';
import { bytes, contents, fileInfo, poolMessage, signed } from './fixtures.js';
import { expectProtocolError, raw } from './expect-error.js';

type PoolInit = MessageInitShape<typeof PoolMessageSchema>;
type Content = NonNullable<PoolInit['content']>;
type Code = Parameters<typeof expectProtocolError>[1];

const rejects = (init: PoolInit, code: Code, field?: string) => {
  expectProtocolError(() => decodePoolMessage(raw(PoolMessageSchema, init)), code, field);
  expectProtocolError(() => encodePoolMessage(init), code, field);
};
const rejectsContent = (content: Content, field: string) =>
  rejects(poolMessage(content), 'INVALID_FIELD', field);
const accepts = (content: Content) =>
  expect(() => encodePoolMessage(poolMessage(content))).not.toThrow();

const withFile = (patch: Partial<ReturnType<typeof fileInfo>>): Content => ({
  case: 'mediaOffer',
  value: { file: { ...fileInfo(), ...patch } },
});
const request = (value: Record<string, unknown>): Content =>
  ({ case: 'fileRequest', value: { fileId: 'file-1', ...value } }) as Content;

describe('PoolMessage codec', () => {
  it.each(contents().map((c) => [c.case, c]))('round-trips a %s message', (_name, content) => {
    const init = poolMessage(content);
    expect(decodePoolMessage(encodePoolMessage(init))).toEqual(create(PoolMessageSchema, init));
  });

  it('round-trips a signed pool message on its own (for stores)', () => {
    const value = signed();
    expect(decodeSignedPoolMessage(encodeSignedPoolMessage(value))).toEqual(value);
    expectProtocolError(
      () =>
        decodeSignedPoolMessage(raw(SignedPoolMessageSchema, { ...value, signature: bytes(3) })),
      'INVALID_FIELD',
      'signed.signature',
    );
  });

  it('[WIRE1] a pool message body over MAX_POOL_MESSAGE_BYTES is rejected before parsing', () => {
    expectProtocolError(
      () => decodePoolMessage(bytes(MAX_POOL_MESSAGE_BYTES + 1)),
      'FRAME_TOO_LARGE',
    );
  });

  it('[WIRE11] a message without an id, author or user is rejected', () => {
    rejects({ ...poolMessage(), id: '' }, 'INVALID_FIELD', 'id');
    rejects({ ...poolMessage(), authorNodeId: '' }, 'INVALID_FIELD', 'author_node_id');
    rejects({ ...poolMessage(), userId: 'has space' }, 'INVALID_FIELD', 'user_id');
  });

  it('[WIRE11] created_ms must be in 1..2^53-1', () => {
    rejects({ ...poolMessage(), createdMs: 0n }, 'INVALID_FIELD', 'created_ms');
    rejects({ ...poolMessage(), createdMs: 2n ** 53n }, 'INVALID_FIELD', 'created_ms');
  });

  it('[WIRE11] a message without content is rejected', () => {
    rejects({ ...poolMessage(), content: { case: undefined } }, 'INVALID_FIELD', 'content');
  });

  it('[WIRE12] an empty text is rejected', () => {
    rejectsContent({ case: 'text', value: { text: '' } }, 'content.text.text');
  });

  it('[WIRE12] a text over MAX_TEXT_BYTES UTF-8 bytes is rejected, counting bytes not characters', () => {
    accepts({ case: 'text', value: { text: 'a'.repeat(MAX_TEXT_BYTES) } });
    rejectsContent(
      { case: 'text', value: { text: 'a'.repeat(MAX_TEXT_BYTES + 1) } },
      'content.text.text',
    );
    // 'é' is 2 bytes: half as many characters reach the limit.
    accepts({ case: 'text', value: { text: 'é'.repeat(MAX_TEXT_BYTES / 2) } });
    rejectsContent(
      { case: 'text', value: { text: 'é'.repeat(MAX_TEXT_BYTES / 2 + 1) } },
      'content.text.text',
    );
    // An emoji is one surrogate pair, 4 bytes.
    rejectsContent(
      { case: 'text', value: { text: '😀'.repeat(MAX_TEXT_BYTES / 4 + 1) } },
      'content.text.text',
    );
  });

  it('[WIRE13] a file name with a separator, a dot segment or a control character is rejected', () => {
    for (const name of ['a/b', 'a\\b', '.', '..', 'nul\u0000', 'tab\t', '']) {
      rejectsContent(withFile({ name }), 'content.media_offer.file.name');
    }
    accepts(withFile({ name: '.hidden file (1).txt' }));
  });

  it('[WIRE13] a file name over MAX_FILE_NAME_BYTES is rejected', () => {
    accepts(withFile({ name: 'x'.repeat(MAX_FILE_NAME_BYTES) }));
    rejectsContent(
      withFile({ name: 'x'.repeat(MAX_FILE_NAME_BYTES + 1) }),
      'content.media_offer.file.name',
    );
  });

  it('[WIRE13] a relative path that is absolute, climbs out or has empty segments is rejected', () => {
    for (const relativePath of [
      '/etc',
      '../up',
      'a/../b',
      'a//b',
      'a/',
      'a\\b',
      'x'.repeat(MAX_RELATIVE_PATH_BYTES + 1),
    ]) {
      rejectsContent(withFile({ relativePath }), 'content.media_offer.file.relative_path');
    }
    accepts(withFile({ relativePath: 'photos/2024/june' }));
  });

  it('[WIRE13] hashes must be 32 bytes', () => {
    rejectsContent(withFile({ sha256: bytes(31) }), 'content.media_offer.file.sha256');
    rejectsContent(
      withFile({ chunkHashesRoot: new Uint8Array() }),
      'content.media_offer.file.chunk_hashes_root',
    );
  });

  it('[WIRE13] the chunk size must be within MIN_CHUNK_SIZE..MAX_CHUNK_SIZE', () => {
    rejectsContent(withFile({ chunkSize: 0 }), 'content.media_offer.file.chunk_size');
    rejectsContent(
      withFile({ chunkSize: MAX_CHUNK_SIZE + 1 }),
      'content.media_offer.file.chunk_size',
    );
  });

  it('[WIRE13] a size beyond 2^53-1, a bad origin or folder id, a long mime type are rejected', () => {
    rejectsContent(withFile({ size: 2n ** 53n }), 'content.media_offer.file.size');
    rejectsContent(withFile({ originNodeId: '' }), 'content.media_offer.file.origin_node_id');
    rejectsContent(withFile({ folderId: 'bad id' }), 'content.media_offer.file.folder_id');
    rejectsContent(withFile({ mime: 'm'.repeat(256) }), 'content.media_offer.file.mime');
  });

  it('[WIRE13] chunkCount rounds up and is 0 for an empty file', () => {
    expect(chunkCount({ size: 0n, chunkSize: 1024 })).toBe(0);
    expect(chunkCount({ size: 1025n, chunkSize: 1024 })).toBe(2);
  });

  it('[WIRE14] a file offer without files is rejected', () => {
    rejectsContent({ case: 'fileOffer', value: { files: [] } }, 'content.file_offer.files');
  });

  it('[WIRE14] a file offer or node info over MAX_OFFER_FILES files is rejected', () => {
    const files = new Array(MAX_OFFER_FILES + 1).fill(fileInfo());
    rejectsContent({ case: 'fileOffer', value: { files } }, 'content.file_offer.files');
    rejectsContent({ case: 'nodeInfo', value: { offers: files } }, 'content.node_info.offers');
  });

  it('[WIRE14] every offered file follows the FileInfo rules', () => {
    const files = [fileInfo(), { ...fileInfo(), name: '..' }];
    rejectsContent({ case: 'fileOffer', value: { files } }, 'content.file_offer.files[].name');
    rejectsContent(
      { case: 'nodeInfo', value: { offers: files } },
      'content.node_info.offers[].name',
    );
    rejectsContent(
      { case: 'nodeInfo', value: { deviceName: 'd'.repeat(200) } },
      'content.node_info.device_name',
    );
  });

  it('[WIRE15] a media offer preview over MAX_PREVIEW_BYTES is rejected', () => {
    const value = { file: fileInfo(), preview: bytes(MAX_PREVIEW_BYTES + 1) };
    rejectsContent({ case: 'mediaOffer', value }, 'content.media_offer.preview');
  });

  it('[WIRE15] a media offer without a file is rejected', () => {
    rejectsContent(
      { case: 'mediaOffer', value: { preview: bytes(10) } },
      'content.media_offer.file',
    );
  });

  it('[WIRE16] a range with start >= end is rejected', () => {
    rejectsContent(
      request({ requested: [{ start: 4n, end: 4n }] }),
      'content.file_request.requested[0]',
    );
    rejectsContent(
      request({ requested: [{ start: 5n, end: 4n }] }),
      'content.file_request.requested[0]',
    );
  });

  it('[WIRE16] ranges that are unsorted or overlap are rejected; touching ranges are fine', () => {
    const r = (start: bigint, end: bigint) => ({ start, end });
    rejectsContent(
      request({ requested: [r(8n, 9n), r(0n, 4n)] }),
      'content.file_request.requested[1]',
    );
    rejectsContent(
      request({ requested: [r(0n, 5n), r(4n, 9n)] }),
      'content.file_request.requested[1]',
    );
    accepts(request({ requested: [r(0n, 4n), r(4n, 8n)] }));
  });

  it('[WIRE16] more than MAX_RANGES ranges are rejected', () => {
    const requested = Array.from({ length: MAX_RANGES + 1 }, (_, i) => ({
      start: BigInt(2 * i),
      end: BigInt(2 * i + 1),
    }));
    rejectsContent(request({ requested }), 'content.file_request.requested');
    accepts(request({ requested: requested.slice(1) }));
  });

  it('[WIRE16] a range end beyond 2^53-1 is rejected', () => {
    rejectsContent(
      request({ requested: [{ start: 0n, end: 2n ** 53n }] }),
      'content.file_request.requested[0].end',
    );
  });

  it('[WIRE17] an empty requested list (the whole file) is valid', () => {
    accepts(request({ requested: [] }));
  });

  it('[WIRE17] a request without a file id is rejected', () => {
    rejectsContent(request({ fileId: '' }), 'content.file_request.file_id');
  });

  it('[WIRE14] a folder offer needs a safe folder name: one segment, no dot segment', () => {
    const folder = (folderName: string) => ({
      case: 'fileOffer' as const,
      value: { files: [fileInfo()], folderId: 'folder-1', folderName },
    });
    for (const name of ['../escape', '..', 'a/b', 'a\\b', '', 'x\u0000y']) {
      rejectsContent(folder(name), 'content.file_offer.folder_name');
    }
    accepts(folder('Holiday 2024'));
  });

  it('[WIRE17] retractions need a file id', () => {
    rejectsContent(
      { case: 'retractOffer', value: { fileId: '' } },
      'content.retract_offer.file_id',
    );
    rejectsContent(
      { case: 'retractRequest', value: { fileId: '' } },
      'content.retract_request.file_id',
    );
  });

  it('[WIRE25] an enum value this version does not know is accepted', () => {
    const content: Content = { case: 'nodeInfo', value: { deviceType: 99 as DeviceType } };
    const decoded = decodePoolMessage(raw(PoolMessageSchema, poolMessage(content)));
    expect(decoded.content.case === 'nodeInfo' && decoded.content.value.deviceType).toBe(99);
  });
});
