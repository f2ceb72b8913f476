import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { expectAuthError, ORIGIN, register, signIn, useAuthFixture } from './fixture.js';

const make = useAuthFixture();

describe('sign-in', () => {
  it('[AUTH7] a discoverable passkey signs in; its counter is stored', async () => {
    const { auth, store, clock } = await make();
    const authenticator = new SoftwareAuthenticator();
    const registered = await register(auth, authenticator);

    const { challengeId, options } = await auth.startSignIn();
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('preferred');
    clock.advance(1000);
    const response = authenticator.authenticate(options, { origin: ORIGIN });
    const tokens = await auth.finishSignIn(challengeId, response);
    expect([tokens.userId, tokens.deviceId]).toEqual([registered.userId, registered.deviceId]);
    expect(tokens.sessionId).not.toBe(registered.sessionId);
    await auth.authenticate(tokens.accessToken);
    // Both sessions live side by side.
    await auth.authenticate(registered.accessToken);

    const passkey = await store.findCredential(response.id);
    expect([passkey?.counter, passkey?.lastUsedAt]).toEqual([1, clock.now()]);
    expect((await store.getDevice(tokens.deviceId)).lastSeenAt).toBe(clock.now());
  });

  it('[AUTH1] a sign-in challenge cannot be answered twice', async () => {
    const { auth } = await make();
    const authenticator = new SoftwareAuthenticator();
    await register(auth, authenticator);
    const { challengeId, options } = await auth.startSignIn();
    const response = authenticator.authenticate(options, { origin: ORIGIN });
    await auth.finishSignIn(challengeId, response);
    await expectAuthError(auth.finishSignIn(challengeId, response), 'CHALLENGE_MISMATCH');
    // Replaying the old response against a new challenge fails verification.
    const next = await auth.startSignIn();
    await expectAuthError(auth.finishSignIn(next.challengeId, response), 'VERIFICATION_FAILED');
  });

  it('[AUTH9] a wrong origin, RP id, signature or unknown passkey is refused', async () => {
    const { auth, store } = await make();
    const authenticator = new SoftwareAuthenticator();
    await register(auth, authenticator);
    for (const client of [{ origin: 'https://evil.test' }, { origin: ORIGIN, rpId: 'evil.test' }]) {
      const { challengeId, options } = await auth.startSignIn();
      const response = authenticator.authenticate(options, client);
      await expectAuthError(auth.finishSignIn(challengeId, response), 'VERIFICATION_FAILED');
    }
    // A bad signature.
    const bad = await auth.startSignIn();
    const response = authenticator.authenticate(bad.options, { origin: ORIGIN });
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 1;
    const tampered = {
      ...response,
      response: { ...response.response, signature: signature.toString('base64url') },
    };
    await expectAuthError(auth.finishSignIn(bad.challengeId, tampered), 'VERIFICATION_FAILED');
    // A passkey this server never registered.
    const stranger = new SoftwareAuthenticator();
    const other = await auth.startRegistration({
      displayName: 'x',
      deviceName: 'x',
      deviceType: 'cli',
    });
    stranger.register(other.options, { origin: ORIGIN }); // never finished
    const unknown = await auth.startSignIn();
    await expectAuthError(
      auth.finishSignIn(
        unknown.challengeId,
        stranger.authenticate(unknown.options, { origin: ORIGIN }),
      ),
      'VERIFICATION_FAILED',
    );
    // None of the refused attempts moved the counter.
    expect((await store.findCredential(response.id))?.counter).toBe(0);
  });

  it('[AUTH9] a user handle that is not the passkey owner is refused', async () => {
    const { auth } = await make();
    const authenticator = new SoftwareAuthenticator();
    await register(auth, authenticator);
    const { challengeId, options } = await auth.startSignIn();
    const response = authenticator.authenticate(options, { origin: ORIGIN });
    const lying = { ...response, response: { ...response.response, userHandle: 'ZXZl' } };
    await expectAuthError(auth.finishSignIn(challengeId, lying), 'VERIFICATION_FAILED');
  });

  it('[AUTH10] a counter that does not move forward (a cloned passkey) is refused', async () => {
    const { auth, store } = await make();
    const original = new SoftwareAuthenticator();
    const registered = await register(auth, original);
    await signIn(auth, original); // counter 1
    const clone = new SoftwareAuthenticator(original.exportCredentials());
    await signIn(auth, original); // counter 2
    await expectAuthError(signIn(auth, clone), 'COUNTER_ROLLBACK'); // clone says 2 again
    const [passkey] = await store.listCredentials(registered.userId);
    expect(passkey?.counter).toBe(2);
    await signIn(auth, original); // 3: the genuine key still works
  });

  it('[AUTH8] a passkey signs in as the device it was registered with', async () => {
    const { auth } = await make();
    const laptop = new SoftwareAuthenticator();
    const phone = new SoftwareAuthenticator();
    const a = await register(auth, laptop);
    const b = await register(auth, phone, { deviceName: 'phone', deviceType: 'mobile' });
    expect(a.userId).not.toBe(b.userId);
    expect((await signIn(auth, laptop)).deviceId).toBe(a.deviceId);
    expect((await signIn(auth, phone)).deviceId).toBe(b.deviceId);
  });
});
