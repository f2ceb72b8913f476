import { describe, expect, it } from 'vitest';
import {
  ChunkSchema,
  MAX_CHUNK_SIZE,
  MAX_DESTS,
  MAX_HOPS,
  MAX_ID_LENGTH,
  MAX_LATEST_MESSAGES,
  MAX_PACKAGE_BYTES,
  MAX_PATH_DEPTH,
  MAX_PROMISES,
  MAX_RECONCILE_IDS,
  PackageSchema,
  create,
  decodePackage,
  encodePackage,
  type MessageInitShape,
} from '../src/index.js';
import { bytes, cert, directs, fileInfo, packageBodies, pkg, signed } from './fixtures.js';
import { expectProtocolError, raw } from './expect-error.js';

type PackageInit = MessageInitShape<typeof PackageSchema>;
/** Bytes of a package that breaks a rule, as a peer without our encoder would send them. */
const bad = (init: PackageInit) => raw(PackageSchema, init);
const rejects = (
  init: PackageInit,
  code: Parameters<typeof expectProtocolError>[1],
  field?: string,
) => {
  expectProtocolError(() => decodePackage(bad(init)), code, field);
  // [WIRE23] the encoder refuses what the decoder rejects.
  expectProtocolError(() => encodePackage(init), code, field);
};

describe('Package codec', () => {
  it.each(
    packageBodies().map((body) => [
      `${body.case}/${body.case === 'direct' ? body.value.kind?.case : ''}`,
      body,
    ]),
  )('round-trips a %s package', (_name, body) => {
    const init = { ...pkg(body), dests: [{ nodeId: 'node-z', path: [2, 1] }], lane: 1, hops: 3 };
    const decoded = decodePackage(encodePackage(init));
    expect(decoded).toEqual(create(PackageSchema, init));
  });

  it('keeps lane unset when the sender did not pin one', () => {
    expect(decodePackage(encodePackage(pkg())).lane).toBeUndefined();
  });

  it('[WIRE1] a frame over MAX_PACKAGE_BYTES is rejected before parsing', () => {
    // Garbage would be MALFORMED_FRAME if it were parsed; the size check comes first.
    expectProtocolError(() => decodePackage(bytes(MAX_PACKAGE_BYTES + 1, 0xff)), 'FRAME_TOO_LARGE');
    expect(() => decodePackage(encodePackage(pkg()))).not.toThrow();
  });

  it('[WIRE2] bytes that are not a Package are MALFORMED_FRAME, with the parser error as cause', () => {
    const err = expectProtocolError(
      () => decodePackage(new Uint8Array([0x0a, 0xff, 0xff])),
      'MALFORMED_FRAME',
    );
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('[WIRE2] input that is not a Uint8Array is MALFORMED_FRAME', () => {
    expectProtocolError(() => decodePackage('hello' as unknown as Uint8Array), 'MALFORMED_FRAME');
  });

  it('[WIRE4] a package of another version is UNSUPPORTED_VERSION', () => {
    rejects({ ...pkg(), version: 2 }, 'UNSUPPORTED_VERSION', 'version');
    rejects({ ...pkg(), version: 0 }, 'UNSUPPORTED_VERSION', 'version');
  });

  it('[WIRE5] an empty source node id is rejected', () => {
    rejects({ ...pkg(), src: { nodeId: '', path: [0], slot: 0 } }, 'INVALID_FIELD', 'src.node_id');
  });

  it('[WIRE5] a node id longer than MAX_ID_LENGTH is rejected', () => {
    const nodeId = 'n'.repeat(MAX_ID_LENGTH + 1);
    rejects({ ...pkg(), src: { nodeId, path: [0], slot: 0 } }, 'INVALID_FIELD', 'src.node_id');
    const ok = 'n'.repeat(MAX_ID_LENGTH);
    expect(() =>
      encodePackage({ ...pkg(), src: { nodeId: ok, path: [0], slot: 0 } }),
    ).not.toThrow();
  });

  it('[WIRE5] an id with spaces, controls or non-ASCII is rejected', () => {
    for (const nodeId of ['node a', 'node\n', 'nöde', 'node\u0000']) {
      rejects({ ...pkg(), src: { nodeId, path: [0], slot: 0 } }, 'INVALID_FIELD', 'src.node_id');
    }
  });

  it('[WIRE6] an empty source path is rejected', () => {
    rejects({ ...pkg(), src: { nodeId: 'a', path: [], slot: 0 } }, 'INVALID_FIELD', 'src.path');
  });

  it('[WIRE6] a path deeper than MAX_PATH_DEPTH is rejected', () => {
    const path = [0, ...new Array<number>(MAX_PATH_DEPTH).fill(1)];
    rejects({ ...pkg(), src: { nodeId: 'a', path, slot: 0 } }, 'INVALID_FIELD', 'src.path');
    const deepest = path.slice(0, MAX_PATH_DEPTH);
    expect(() =>
      encodePackage({ ...pkg(), src: { nodeId: 'a', path: deepest, slot: 0 } }),
    ).not.toThrow();
  });

  it('[WIRE6] a path whose first panel is over 2 is rejected', () => {
    rejects({ ...pkg(), src: { nodeId: 'a', path: [3], slot: 0 } }, 'INVALID_FIELD', 'src.path');
  });

  it('[WIRE6] a path with a later panel over 1 is rejected', () => {
    rejects(
      { ...pkg(), src: { nodeId: 'a', path: [2, 0, 2], slot: 0 } },
      'INVALID_FIELD',
      'src.path',
    );
  });

  it('[WIRE6] a destination path follows the same rules', () => {
    rejects({ ...pkg(), dests: [{ nodeId: 'b', path: [] }] }, 'INVALID_FIELD', 'dests[].path');
    rejects({ ...pkg(), dests: [{ nodeId: 'b', path: [0, 5] }] }, 'INVALID_FIELD', 'dests[].path');
  });

  it('[WIRE7] a source slot over 2 is rejected', () => {
    rejects({ ...pkg(), src: { nodeId: 'a', path: [0], slot: 3 } }, 'INVALID_FIELD', 'src.slot');
  });

  it('[WIRE7] a lane over 2 is rejected', () => {
    rejects({ ...pkg(), lane: 3 }, 'INVALID_FIELD', 'lane');
  });

  it('[WIRE8] a package without a source is rejected', () => {
    rejects({ ...pkg(), src: undefined }, 'INVALID_FIELD', 'src');
  });

  it('[WIRE8] a package without a body is rejected', () => {
    rejects({ ...pkg(), body: { case: undefined } }, 'INVALID_FIELD', 'body');
  });

  it('[WIRE8] more than MAX_DESTS destinations are rejected', () => {
    const dests = Array.from({ length: MAX_DESTS + 1 }, (_, i) => ({ nodeId: `n${i}`, path: [0] }));
    rejects({ ...pkg(), dests }, 'INVALID_FIELD', 'dests');
    expect(() => encodePackage({ ...pkg(), dests: dests.slice(1) })).not.toThrow();
  });

  it('[WIRE8] a destination without a valid node id is rejected', () => {
    rejects({ ...pkg(), dests: [{ nodeId: '', path: [0] }] }, 'INVALID_FIELD', 'dests[].node_id');
  });

  it('[WIRE8] hops over MAX_HOPS are rejected', () => {
    rejects({ ...pkg(), hops: MAX_HOPS + 1 }, 'INVALID_FIELD', 'hops');
  });

  it('[WIRE17a] a directed pool message carries promises; they round-trip', () => {
    const init = {
      ...pkg(),
      dests: [{ nodeId: 'node-z', path: [2] }],
      promised: [{ nodeId: 'node-c', ranges: [{ start: 0n, end: 2n }] }],
    };
    expect(decodePackage(encodePackage(init)).promised[0]?.nodeId).toBe('node-c');
  });

  it('[WIRE17a] promises on a broadcast or a chunk are rejected', () => {
    const promised = [{ nodeId: 'node-c', ranges: [{ start: 0n, end: 2n }] }];
    rejects({ ...pkg(), promised }, 'INVALID_FIELD', 'promised');
    const chunk = { case: 'chunk' as const, value: { fileId: 'f', index: 0n, data: bytes(4) } };
    const dests = [{ nodeId: 'node-z', path: [2] }];
    rejects({ ...pkg(chunk), dests, promised }, 'INVALID_FIELD', 'promised');
  });

  it('[WIRE17a] a promise of no ranges, or by an invalid node, is rejected', () => {
    const dests = [{ nodeId: 'node-z', path: [2] }];
    rejects(
      { ...pkg(), dests, promised: [{ nodeId: 'n', ranges: [] }] },
      'INVALID_FIELD',
      'promised[].ranges',
    );
    rejects(
      { ...pkg(), dests, promised: [{ nodeId: '', ranges: [{ start: 0n, end: 1n }] }] },
      'INVALID_FIELD',
      'promised[].node_id',
    );
    rejects(
      { ...pkg(), dests, promised: [{ nodeId: 'n', ranges: [{ start: 3n, end: 1n }] }] },
      'INVALID_FIELD',
      'promised[].ranges[0]',
    );
  });

  it('[WIRE17a] more than MAX_PROMISES promises are rejected', () => {
    const promised = Array.from({ length: MAX_PROMISES + 1 }, (_, i) => ({
      nodeId: `n${i}`,
      ranges: [{ start: 0n, end: 1n }],
    }));
    rejects(
      { ...pkg(), dests: [{ nodeId: 'node-z', path: [2] }], promised },
      'INVALID_FIELD',
      'promised',
    );
  });

  it('[WIRE9] a pool message with an empty body is rejected', () => {
    const value = { ...signed(), body: new Uint8Array() };
    rejects(pkg({ case: 'pool', value }), 'INVALID_FIELD', 'body.pool.body');
  });

  it('[WIRE9] a signature that is not 64 bytes is rejected', () => {
    const value = { ...signed(), signature: bytes(63) };
    rejects(pkg({ case: 'pool', value }), 'INVALID_FIELD', 'body.pool.signature');
  });

  it('[WIRE9] a pool message without a certificate is rejected', () => {
    const value = { ...signed(), cert: undefined };
    rejects(pkg({ case: 'pool', value }), 'INVALID_FIELD', 'body.pool.cert');
  });

  it('[WIRE10] a certificate key that is not 32 bytes is rejected', () => {
    const value = { ...signed(), cert: { ...cert(), publicKey: bytes(31) } };
    rejects(pkg({ case: 'pool', value }), 'INVALID_FIELD', 'body.pool.cert.public_key');
  });

  it('[WIRE10] an authority signature that is not 64 bytes is rejected', () => {
    const value = { ...signed(), cert: { ...cert(), authoritySignature: bytes(65) } };
    rejects(pkg({ case: 'pool', value }), 'INVALID_FIELD', 'body.pool.cert.authority_signature');
  });

  it('[WIRE10] a certificate without expiry or ids is rejected', () => {
    const noExpiry = { ...signed(), cert: { ...cert(), expiresAtMs: 0n } };
    rejects(
      pkg({ case: 'pool', value: noExpiry }),
      'INVALID_FIELD',
      'body.pool.cert.expires_at_ms',
    );
    const noUser = { ...signed(), cert: { ...cert(), userId: '' } };
    rejects(pkg({ case: 'pool', value: noUser }), 'INVALID_FIELD', 'body.pool.cert.user_id');
  });

  it('[WIRE18] a chunk with no data is rejected', () => {
    rejects(
      pkg({ case: 'chunk', value: { fileId: 'f', index: 0n, data: new Uint8Array() } }),
      'INVALID_FIELD',
      'body.chunk.data',
    );
  });

  it('[WIRE18] a chunk over MAX_CHUNK_SIZE is rejected', () => {
    const value = { fileId: 'f', index: 0n, data: bytes(MAX_CHUNK_SIZE + 1) };
    rejects(pkg({ case: 'chunk', value }), 'INVALID_FIELD', 'body.chunk.data');
    expect(() =>
      encodePackage(pkg({ case: 'chunk', value: { ...value, data: bytes(MAX_CHUNK_SIZE) } })),
    ).not.toThrow();
  });

  it('[WIRE18] a chunk index beyond 2^53-1 or without a file id is rejected', () => {
    const value = create(ChunkSchema, { fileId: 'f', index: 2n ** 53n, data: bytes(1) });
    rejects(pkg({ case: 'chunk', value }), 'INVALID_FIELD', 'body.chunk.index');
    rejects(
      pkg({ case: 'chunk', value: { ...value, index: 0n, fileId: '' } }),
      'INVALID_FIELD',
      'body.chunk.file_id',
    );
  });

  it('[WIRE19] a direct message without a kind is rejected', () => {
    rejects(pkg({ case: 'direct', value: {} }), 'INVALID_FIELD', 'body.direct.kind');
  });

  it('[WIRE19] a latest request for more than MAX_LATEST_MESSAGES is rejected', () => {
    const kind = {
      case: 'latestRequest' as const,
      value: { maxMessages: MAX_LATEST_MESSAGES + 1 },
    };
    rejects(
      pkg({ case: 'direct', value: { kind } }),
      'INVALID_FIELD',
      'body.direct.latest_request.max_messages',
    );
    const big = { case: 'latestRequest' as const, value: { maxBytes: MAX_PACKAGE_BYTES + 1 } };
    rejects(
      pkg({ case: 'direct', value: { kind: big } }),
      'INVALID_FIELD',
      'body.direct.latest_request.max_bytes',
    );
  });

  it('[WIRE19] a latest reply with more than MAX_LATEST_MESSAGES messages is rejected', () => {
    const messages = new Array(MAX_LATEST_MESSAGES + 1).fill(signed());
    const kind = { case: 'latestReply' as const, value: { messages } };
    expectProtocolError(
      () => decodePackage(bad(pkg({ case: 'direct', value: { kind } }))),
      'INVALID_FIELD',
      'body.direct.latest_reply.messages',
    );
  });

  it('[WIRE19] a latest reply with an invalid message or seeder entry is rejected', () => {
    const badMessage = {
      case: 'latestReply' as const,
      value: { messages: [{ ...signed(), signature: bytes(1) }] },
    };
    rejects(
      pkg({ case: 'direct', value: { kind: badMessage } }),
      'INVALID_FIELD',
      'body.direct.latest_reply.messages[].signature',
    );
    const badSeeder = {
      case: 'latestReply' as const,
      value: { seeders: [{ file: fileInfo(), seederNodeIds: [''] }] },
    };
    rejects(
      pkg({ case: 'direct', value: { kind: badSeeder } }),
      'INVALID_FIELD',
      'body.direct.latest_reply.seeders[].seeder_node_ids',
    );
    const noFile = { case: 'latestReply' as const, value: { seeders: [{ seederNodeIds: ['a'] }] } };
    rejects(
      pkg({ case: 'direct', value: { kind: noFile } }),
      'INVALID_FIELD',
      'body.direct.latest_reply.seeders[].file',
    );
  });

  it('[WIRE19] a reconcile digest over MAX_RECONCILE_IDS or with a bad id is rejected', () => {
    const recentIds = Array.from({ length: MAX_RECONCILE_IDS + 1 }, (_, i) => `m${i}`);
    const agesMs = recentIds.map(() => 1);
    const kind = { case: 'reconcileDigest' as const, value: { recentIds, agesMs } };
    rejects(
      pkg({ case: 'direct', value: { kind } }),
      'INVALID_FIELD',
      'body.direct.reconcile_digest.recent_ids',
    );
    const want = { case: 'reconcileWant' as const, value: { ids: ['ok', ''] } };
    rejects(
      pkg({ case: 'direct', value: { kind: want } }),
      'INVALID_FIELD',
      'body.direct.reconcile_want.ids',
    );
  });

  it('[WIRE19] reconcile messages follow the signed-message rules', () => {
    const kind = {
      case: 'reconcileMessages' as const,
      value: { messages: [{ ...signed(), cert: undefined }] },
    };
    rejects(
      pkg({ case: 'direct', value: { kind } }),
      'INVALID_FIELD',
      'body.direct.reconcile_messages.messages[].cert',
    );
  });

  it('[WIRE23] a package that encodes past MAX_PACKAGE_BYTES is FRAME_TOO_LARGE on encode', () => {
    const big = { ...signed(), body: bytes(100 * 1024) };
    const kind = { case: 'latestReply' as const, value: { messages: [big, big, big] } };
    expectProtocolError(
      () => encodePackage(pkg({ case: 'direct', value: { kind } })),
      'FRAME_TOO_LARGE',
    );
  });

  it('[WIRE23] the encoder turns wrong JS types into INVALID_FIELD, not a raw error', () => {
    const init = { ...pkg(), src: { nodeId: 'a', path: [0], slot: -1 } };
    expectProtocolError(() => encodePackage(init), 'INVALID_FIELD');
    expectProtocolError(() => encodePackage({ ...pkg(), hops: 1.5 }), 'INVALID_FIELD');
  });

  it('[WIRE25] a relay keeps fields it does not know when it re-encodes a package', () => {
    // Field 9 (varint 42) is not in this version's schema: a newer peer's envelope field.
    const withUnknown = new Uint8Array([...encodePackage(pkg()), 0x48, 0x2a]);
    const relayed = encodePackage(decodePackage(withUnknown));
    expect(Array.from(relayed.slice(-2))).toEqual([0x48, 0x2a]);
  });

  it('every direct kind fixture is covered', () => {
    expect(directs().map((k) => k.case)).toEqual([
      'latestRequest',
      'latestReply',
      'reconcileDigest',
      'reconcileWant',
      'reconcileMessages',
    ]);
  });
});
