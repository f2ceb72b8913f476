import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePackage,
  encodePackage,
  encodeSignedPoolMessage,
  signedPoolMessageBytes,
  withHops,
} from '../src/index.js';
import { packageBodies, pkg, signed } from './fixtures.js';

describe('package frame surgery', () => {
  it('[WIRE28] withHops changes hops and nothing else, for every body and any hop count', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...packageBodies()),
        fc.nat({ max: 255 }),
        fc.nat({ max: 255 }),
        (body, before, after) => {
          const frame = encodePackage({ ...pkg(body), hops: before });
          const patched = decodePackage(withHops(frame, after));
          const expected = decodePackage(encodePackage({ ...pkg(body), hops: after }));
          expect(patched).toEqual(expected);
        },
      ),
    );
  });

  it('[WIRE28] signedPoolMessageBytes returns exactly the encoded signed message', () => {
    const s = signed();
    const frame = encodePackage(pkg({ case: 'pool', value: s }));
    expect(signedPoolMessageBytes(frame)).toEqual(encodeSignedPoolMessage(s));
    const direct = encodePackage(pkg(packageBodies().find((b) => b.case === 'direct')!));
    expect(signedPoolMessageBytes(direct)).toBeUndefined();
  });
});
