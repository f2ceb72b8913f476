import { asUserId } from '@poolnet/protocol';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PendingChallenges } from '../../src/auth/challenges.js';
import { expectAuthError, ManualClock, MINUTE } from './fixture.js';

const make = (max?: number) => {
  const clock = new ManualClock();
  return { clock, challenges: new PendingChallenges(clock, randomBytes, 2 * MINUTE, max) };
};

describe('pending challenges', () => {
  it('[AUTH1] a challenge is taken once, and only by its own kind of ceremony', async () => {
    const { challenges } = make();
    const { id, challenge } = challenges.issue({ kind: 'authentication' });
    expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
    expect(challenges.take(id, 'authentication')).toEqual({ kind: 'authentication', challenge });
    await expectAuthError(() => challenges.take(id, 'authentication'), 'CHALLENGE_MISMATCH');

    const reg = challenges.issue({
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

  it('[AUTH1] a challenge expires after two minutes and expired ones are swept', async () => {
    const { clock, challenges } = make();
    const early = challenges.issue({ kind: 'authentication' });
    const late = challenges.issue({ kind: 'authentication' });
    clock.advance(2 * MINUTE - 1);
    expect(challenges.take(early.id, 'authentication').challenge).toBe(early.challenge);
    clock.advance(1);
    await expectAuthError(() => challenges.take(late.id, 'authentication'), 'EXPIRED');

    challenges.issue({ kind: 'authentication' });
    clock.advance(2 * MINUTE);
    challenges.issue({ kind: 'authentication' });
    expect(challenges.size).toBe(1);
  });

  it('[AUTH1] at most maxPending challenges wait; the oldest give way', async () => {
    const { challenges } = make(3);
    const ids = [1, 2, 3, 4].map(() => challenges.issue({ kind: 'authentication' }).id);
    expect(challenges.size).toBe(3);
    await expectAuthError(
      () => challenges.take(ids[0] ?? '', 'authentication'),
      'CHALLENGE_MISMATCH',
    );
    expect(challenges.take(ids[3] ?? '', 'authentication').kind).toBe('authentication');
  });
});
