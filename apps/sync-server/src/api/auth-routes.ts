/**
 * The account and device API over `AuthService`: registration, sign-in, tokens, devices,
 * adding a device by code, and the device's pool-message signing key. Ids travel in the JSON
 * body because routes match exact paths.
 */
import { asNodeId } from '@poolnet/protocol';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { AuthService } from '../auth/auth-service.js';
import type { Route } from '../http/route.js';
import type { SignallingHub } from '../signalling/hub.js';
import { ApiError } from './api-errors.js';
import { apiRoute, fields, identityOf, parseBody } from './route-kit.js';
import { type DeviceSigningKeys, SIGNING_KEY_BYTES } from './signing-keys.js';

const deviceDescription = { deviceName: fields.name, deviceType: fields.deviceType };
const registerBegin = z.object({ displayName: fields.name, ...deviceDescription }).strict();
const ceremonyFinish = z.object({ challengeId: fields.id, response: fields.credential }).strict();
const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).strict();
const deviceBody = z.object({ deviceId: fields.id }).strict();
const renameBody = z.object({ deviceId: fields.id, name: fields.name }).strict();
const displayNameBody = z.object({ displayName: fields.name }).strict();
const linkBegin = z.object({ code: z.string().min(1).max(32), ...deviceDescription }).strict();
const signingKeyBody = z
  .object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url') })
  .strict();

// The WebAuthn response is only shape-checked here; @simplewebauthn/server verifies it.
const asRegistration = (response: unknown) => response as RegistrationResponseJSON;
const asAuthentication = (response: unknown) => response as AuthenticationResponseJSON;

export function authRoutes(
  auth: AuthService,
  signingKeys: DeviceSigningKeys,
  hub: Pick<SignallingHub, 'disconnect'>,
): Route[] {
  return [
    apiRoute(
      'POST',
      '/v1/auth/register/begin',
      async ({ body }) => auth.startRegistration(parseBody(registerBegin, body)),
      'register',
    ),
    apiRoute(
      'POST',
      '/v1/auth/register/finish',
      async ({ body }) => {
        const { challengeId, response } = parseBody(ceremonyFinish, body);
        return auth.finishRegistration(challengeId, asRegistration(response));
      },
      'register',
    ),
    apiRoute('POST', '/v1/auth/sign-in/begin', async () => auth.startSignIn(), 'sign-in'),
    apiRoute(
      'POST',
      '/v1/auth/sign-in/finish',
      async ({ body }) => {
        const { challengeId, response } = parseBody(ceremonyFinish, body);
        return auth.finishSignIn(challengeId, asAuthentication(response));
      },
      'sign-in',
    ),
    apiRoute(
      'POST',
      '/v1/auth/refresh',
      async ({ body }) => {
        const { refreshToken } = parseBody(refreshBody, body);
        try {
          return await auth.refresh(refreshToken);
        } catch (err) {
          // For a refresh token every refusal means the same: sign in again.
          const code = (err as { code?: unknown }).code;
          if (code === 'UNAUTHENTICATED' || code === 'EXPIRED' || code === 'REVOKED') {
            throw new ApiError('UNAUTHENTICATED', 'the refresh token is not valid', code, {
              cause: err,
            });
          }
          throw err;
        }
      },
      'sign-in',
    ),
    apiRoute('POST', '/v1/auth/sign-out', async (request) => {
      const identity = await identityOf(auth, request);
      await auth.signOut(identity.sessionId);
      return { ok: true };
    }),

    apiRoute('POST', '/v1/account/rename', async (request) => {
      const identity = await identityOf(auth, request);
      const { displayName } = parseBody(displayNameBody, request.body);
      const user = await auth.renameUser(identity.userId, displayName);
      return { user: { id: user.id, displayName: user.displayName } };
    }),
    apiRoute('GET', '/v1/devices', async (request) => {
      const identity = await identityOf(auth, request);
      return { devices: await auth.listDevices(identity.userId) };
    }),
    apiRoute('POST', '/v1/devices/rename', async (request) => {
      const identity = await identityOf(auth, request);
      const { deviceId, name } = parseBody(renameBody, request.body);
      return { device: await auth.renameDevice(identity.userId, asNodeId(deviceId), name) };
    }),
    apiRoute('POST', '/v1/devices/revoke', async (request) => {
      const identity = await identityOf(auth, request);
      const { deviceId } = parseBody(deviceBody, request.body);
      const device = await auth.revokeDevice(identity.userId, asNodeId(deviceId));
      hub.disconnect({ deviceId: device.id }, 'the device was revoked');
      return { device };
    }),
    apiRoute(
      'POST',
      '/v1/devices/code',
      async (request) => {
        const identity = await identityOf(auth, request);
        return auth.createAddDeviceCode(identity.userId);
      },
      'add-device',
    ),
    apiRoute(
      'POST',
      '/v1/devices/link/begin',
      async ({ body }) => {
        const { code, ...device } = parseBody(linkBegin, body);
        return auth.startAddDevice(code, device);
      },
      'add-device',
    ),
    apiRoute(
      'POST',
      '/v1/devices/link/finish',
      async ({ body }) => {
        const { challengeId, response } = parseBody(ceremonyFinish, body);
        return auth.finishAddDevice(challengeId, asRegistration(response));
      },
      'add-device',
    ),
    apiRoute('POST', '/v1/devices/signing-key', async (request) => {
      const identity = await identityOf(auth, request);
      const { publicKey } = parseBody(signingKeyBody, request.body);
      const key = Buffer.from(publicKey, 'base64url');
      if (key.length !== SIGNING_KEY_BYTES) {
        throw new ApiError('BAD_REQUEST', 'publicKey must be 32 bytes, base64url');
      }
      await signingKeys.set(identity.userId, identity.deviceId, key);
      return { deviceId: identity.deviceId, publicKey };
    }),
  ];
}
