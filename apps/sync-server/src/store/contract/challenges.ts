import type { ServerStoreContractCase } from './fixtures.js';
import { MINUTE, T0, check, device, expectError, register, user } from './fixtures.js';

/** [DB24] What used to live in one instance's memory: challenges and code look-ups. */
export const challengeCases: readonly ServerStoreContractCase[] = [
  {
    id: 'DB24',
    name: 'a pending challenge is kept until taken, taken at most once (also when raced), and swept after expiry',
    async run(make) {
      const store = await make();
      const record = { id: 'c1', ceremony: '{"kind":"authentication"}', challenge: 'abc' };
      await store.putChallenge({ ...record, expiresAt: T0 + 2 * MINUTE, now: T0 });
      await expectError(
        store.putChallenge({ ...record, expiresAt: T0 + 2 * MINUTE, now: T0 }),
        'CONFLICT',
        'a second challenge with the same id',
      );
      const taken = await Promise.all([store.takeChallenge('c1'), store.takeChallenge('c1')]);
      const got = taken.filter((t) => t !== undefined);
      check(got.length === 1, `racing takes: ${got.length} got the challenge`);
      check(
        got[0]?.ceremony === record.ceremony && got[0].challenge === 'abc',
        'the challenge comes back as kept',
      );
      check(got[0].expiresAt === T0 + 2 * MINUTE, 'with its expiry');
      check((await store.takeChallenge('c1')) === undefined, 'taken challenges are gone');
      check((await store.takeChallenge('never')) === undefined, 'unknown ids give nothing');

      await store.putChallenge({ ...record, id: 'old', expiresAt: T0 + MINUTE, now: T0 });
      await store.putChallenge({
        ...record,
        id: 'new',
        expiresAt: T0 + 4 * MINUTE,
        now: T0 + 2 * MINUTE,
      });
      check((await store.takeChallenge('old')) === undefined, 'expired challenges are swept');
      check((await store.takeChallenge('new')) !== undefined, 'live ones stay');
    },
  },
  {
    id: 'DB25',
    name: 'an add-device code is found by its hash, used or not, on any store handle',
    async run(make) {
      const store = await make();
      await register(store, 1);
      await store.createAddDeviceCode({
        codeHash: 'h1',
        userId: user(1),
        expiresAt: T0 + 5 * MINUTE,
        now: T0,
      });
      const found = await store.findAddDeviceCode('h1');
      check(found?.userId === user(1) && found.usedAt === null, 'the code and its user');
      check(found.expiresAt === T0 + 5 * MINUTE, 'its expiry');
      check((await store.findAddDeviceCode('nope')) === undefined, 'unknown hashes give nothing');
      await store.consumeAddDeviceCode({
        codeHash: 'h1',
        device: { id: device(1, 9), name: 'new', type: 'desktop' },
        now: T0 + MINUTE,
      });
      check((await store.findAddDeviceCode('h1'))?.usedAt === T0 + MINUTE, 'used codes say when');
    },
  },
];
