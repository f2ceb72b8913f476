/**
 * The WebAuthn ceremonies a device runs with the server: begin, the authenticator's answer to
 * the server's options, finish with the same challenge; and the signing key in base64url.
 */
import { describe, expect, it } from 'vitest';
import {
  type Passkeys,
  base64url,
  linkDevice,
  passkeySignIn,
  registerSigningKey,
  registerUser,
} from '../src/index.js';

function fakeApi() {
  const calls: string[] = [];
  const bodies: unknown[] = [];
  const answer = (path: string, body: unknown) => {
    calls.push(path);
    bodies.push(body);
    if (path.endsWith('/begin')) return { challengeId: `ch-${calls.length}`, options: { path } };
    return { userId: 'u', deviceId: 'd', accessToken: `t-${calls.length}` };
  };
  return {
    calls,
    bodies,
    call: async (_method: 'GET' | 'POST', path: string, body?: unknown) => answer(path, body),
    authed: async (_method: 'GET' | 'POST', path: string, body?: unknown) =>
      answer(`authed ${path}`, body),
  };
}

const passkeys = (): Passkeys & { seen: string[] } => {
  const seen: string[] = [];
  return {
    seen,
    create: (options: { path: string }) => (seen.push(`create ${options.path}`), 'made'),
    get: async (options: { path: string }) => (seen.push(`get ${options.path}`), 'signed'),
  };
};

describe('passkey ceremonies', () => {
  it('register: begin with the device, the authenticator creates, finish with the challenge', async () => {
    const api = fakeApi();
    const keys = passkeys();
    const tokens = await registerUser(api, keys, {
      displayName: 'Ana',
      deviceName: 'laptop',
      deviceType: 'cli',
    });
    expect(api.calls).toEqual(['/v1/auth/register/begin', '/v1/auth/register/finish']);
    expect(api.bodies).toEqual([
      { displayName: 'Ana', deviceName: 'laptop', deviceType: 'cli' },
      { challengeId: 'ch-1', response: 'made' },
    ]);
    expect(keys.seen).toEqual(['create /v1/auth/register/begin']);
    expect(tokens).toMatchObject({ accessToken: 't-2' });
  });

  it('link trims the code; sign-in asks the authenticator to sign', async () => {
    const api = fakeApi();
    const keys = passkeys();
    await linkDevice(api, keys, { code: '  abc \n', deviceName: 'tab', deviceType: 'browser' });
    await passkeySignIn(api, keys);
    expect(api.calls).toEqual([
      '/v1/devices/link/begin',
      '/v1/devices/link/finish',
      '/v1/auth/sign-in/begin',
      '/v1/auth/sign-in/finish',
    ]);
    expect(api.bodies[0]).toEqual({ code: 'abc', deviceName: 'tab', deviceType: 'browser' });
    expect(api.bodies[3]).toEqual({ challengeId: 'ch-3', response: 'signed' });
    expect(keys.seen).toEqual(['create /v1/devices/link/begin', 'get /v1/auth/sign-in/begin']);
  });

  it('the signing key goes as unpadded base64url, authenticated', async () => {
    const api = fakeApi();
    const key = Uint8Array.from({ length: 32 }, (_, i) => 250 - i * 3);
    await registerSigningKey(api, key);
    expect(api.calls).toEqual(['authed /v1/devices/signing-key']);
    expect(api.bodies[0]).toEqual({ publicKey: Buffer.from(key).toString('base64url') });
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});
