import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../src/auth/software-authenticator.js';
import { ORIGIN, RP_ID } from './fixture.js';

describe('software authenticator', () => {
  it('[AUTH11] its registration and assertions verify with @simplewebauthn/server', async () => {
    const authenticator = new SoftwareAuthenticator();
    const creation = await generateRegistrationOptions({
      rpName: 'Poolnet',
      rpID: RP_ID,
      userName: 'ada',
      userID: Buffer.from('user-1'),
      attestationType: 'none',
    });
    const registration = authenticator.register(creation, { origin: ORIGIN });
    const reg = await verifyRegistrationResponse({
      response: registration,
      expectedChallenge: creation.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    expect(reg.verified).toBe(true);
    if (!reg.verified) return;
    expect(reg.registrationInfo.fmt).toBe('none');
    expect(reg.registrationInfo.credential.id).toBe(registration.id);
    expect(reg.registrationInfo.credential.counter).toBe(0);
    expect(reg.registrationInfo.userVerified).toBe(true);

    let counter = 0;
    for (let i = 1; i <= 2; i++) {
      // Discoverable: no allowCredentials, the authenticator picks its resident passkey.
      const request = await generateAuthenticationOptions({ rpID: RP_ID });
      const assertion = authenticator.authenticate(request, { origin: ORIGIN });
      expect(assertion.response.userHandle).toBe(creation.user.id);
      const auth = await verifyAuthenticationResponse({
        response: assertion,
        expectedChallenge: request.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential: reg.registrationInfo.credential,
      });
      expect(auth.verified).toBe(true);
      expect(auth.authenticationInfo.newCounter).toBe(counter + 1);
      counter = auth.authenticationInfo.newCounter;
      reg.registrationInfo.credential.counter = counter;
    }
  });

  it('[AUTH11] exported passkeys keep working in a new authenticator, counter included', async () => {
    const first = new SoftwareAuthenticator();
    const creation = await generateRegistrationOptions({
      rpName: 'Poolnet',
      rpID: RP_ID,
      userName: 'ada',
    });
    const registration = first.register(creation, { origin: ORIGIN });
    const reg = await verifyRegistrationResponse({
      response: registration,
      expectedChallenge: creation.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    if (!reg.verified) throw new Error('registration did not verify');
    first.authenticate(await generateAuthenticationOptions({ rpID: RP_ID }), { origin: ORIGIN });

    const second = new SoftwareAuthenticator(first.exportCredentials());
    const request = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [{ id: registration.id }],
    });
    const auth = await verifyAuthenticationResponse({
      response: second.authenticate(request, { origin: ORIGIN }),
      expectedChallenge: request.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential: { ...reg.registrationInfo.credential, counter: 1 },
    });
    expect(auth.verified).toBe(true);
    expect(auth.authenticationInfo.newCounter).toBe(2);
  });
});
