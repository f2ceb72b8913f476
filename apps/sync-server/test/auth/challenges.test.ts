import { asUserId } from '@poolnet/protocol';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PendingChallenges } from '../../src/auth/challenges.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { ServerStore } from '../../src/store/store.js';
import { expectAuthError, ManualClock, MINUTE } from './fixture.js';

const stores: ServerStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** Two handles on one pending-challenge table: two instances of a cluster, or a restart. */
async function make() {
  const clock = new ManualClock();
  const store = await openSqliteStore({ dataDir: ':memory:' });
  stores.push(store);
  return {
    clock,
    store,
    challenges: new PendingChallenges(store, clock, randomBytes, 2 * MINUTE),
    other: new PendingChallenges(store, clock, randomBytes, 2 * MINUTE),
  };
}

describe('pending challenges', () => {
  it('[AUTH1] a challenge is taken once, and only by its own kind of ceremony', async () => {
    const { challenges } = await make();
    const { id, challenge } = await challenges.issue({ kind: 'authentication' });
    expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
    expect(await challenges.take(id, 'authentication')).toEqual({
      kind: 'authentication',
      challenge,
    });
    await expectAuthError(() => challenges.take(id, 'authentication'), 'CHALLENGE_MISMATCH');

    const reg = await challenges.issue({
      kind: 'registration',
      userId: asUserId('u'),
      displayName: 'Ada',
      deviceName: 'laptop',
      deviceType: 'desktop',
    });
    await expectAuthError(() => challenges.take(reg.id, 'add-device'), 'CHALLENGE_MISMATCH');
    // A wrong-kind attempt uses the challenge up too.
    await expectAuthError(() => challenges.take(reg.id, 'registration'), 'CHALLENGE_MISMATCH');
    await expectAuthError(() => challenges.take('nope', 'registration'), 'CHALLENGE_MISMATCH');
  });

  it('[AUTH1] a challenge expires after two minutes', async () => {
    const { clock, challenges } = await make();
    const early = await challenges.issue({ kind: 'authentication' });
    const late = await challenges.issue({ kind: 'authentication' });
    clock.advance(2 * MINUTE - 1);
    expect((await challenges.take(early.id, 'authentication')).challenge).toBe(early.challenge);
    clock.advance(1);
    await expectAuthError(() => challenges.take(late.id, 'authentication'), 'EXPIRED');
  });

  it('[AUTH1][DB24] a ceremony begun on one instance finishes on another, and only once', async () => {
    const { challenges, other } = await make();
    const reg = await challenges.issue({
      kind: 'registration',
      userId: asUserId('u'),
      displayName: 'Ada',
      deviceName: 'laptop',
      deviceType: 'desktop',
    });
    const [first, second] = await Promise.allSettled([
      other.take(reg.id, 'registration'),
      challenges.take(reg.id, 'registration'),
    ]);
    const won = [first, second].filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect((won[0] as PromiseFulfilledResult<{ displayName: string }>).value.displayName).toBe(
      'Ada',
    );
  });
});
