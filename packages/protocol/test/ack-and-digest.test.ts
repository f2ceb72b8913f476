import { describe, expect, it } from 'vitest';
import {
  MAX_ACK_IDS,
  PackageSchema,
  decodePackage,
  encodePackage,
  type MessageInitShape,
} from '../src/index.js';
import { pkg } from './fixtures.js';
import { expectProtocolError, raw } from './expect-error.js';

type PackageInit = MessageInitShape<typeof PackageSchema>;
const dest = [{ nodeId: 'requester', path: [1, 0] }];
const ack = (messageIds: string[], dests = dest): PackageInit => ({
  ...pkg(),
  dests,
  body: { case: 'ack', value: { messageIds } },
});
const digest = (value: Record<string, unknown>): PackageInit => ({
  ...pkg(),
  body: { case: 'direct', value: { kind: { case: 'reconcileDigest', value } } },
});

describe('acks and reconcile digests', () => {
  it('[WIRE26] an ack round-trips', () => {
    const decoded = decodePackage(encodePackage(ack(['m1', 'm2'])));
    expect(decoded.body.case === 'ack' && decoded.body.value.messageIds).toEqual(['m1', 'm2']);
  });

  it('[WIRE26] an ack without destination, without ids, or with too many ids is refused', () => {
    expectProtocolError(
      () => decodePackage(raw(PackageSchema, ack(['m1'], []))),
      'INVALID_FIELD',
      'dests',
    );
    expectProtocolError(
      () => decodePackage(raw(PackageSchema, ack([]))),
      'INVALID_FIELD',
      'body.ack.message_ids',
    );
    const many = Array.from({ length: MAX_ACK_IDS + 1 }, (_, i) => `m${i}`);
    expectProtocolError(() => decodePackage(raw(PackageSchema, ack(many))), 'INVALID_FIELD');
  });

  it('[WIRE27] a digest has one age per id, and a summary lists no ids', () => {
    const ok = decodePackage(
      encodePackage(digest({ recentIds: ['a', 'b'], agesMs: [5, 9], complete: true })),
    );
    expect(ok.body.case).toBe('direct');
    const summary = decodePackage(
      encodePackage(digest({ summary: true, complete: true, count: 3, setHash: 77n })),
    );
    expect(summary.body.case).toBe('direct');
    expectProtocolError(
      () => decodePackage(raw(PackageSchema, digest({ recentIds: ['a', 'b'], agesMs: [5] }))),
      'INVALID_FIELD',
      'body.direct.reconcile_digest.ages_ms',
    );
    expectProtocolError(
      () =>
        decodePackage(raw(PackageSchema, digest({ summary: true, recentIds: ['a'], agesMs: [1] }))),
      'INVALID_FIELD',
      'body.direct.reconcile_digest.recent_ids',
    );
  });
});
