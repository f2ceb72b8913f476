import {
  asPoolId,
  asUserId,
  idFromBytes,
  MAX_DEVICE_NAME_BYTES,
  type NodeId,
  type UserId,
} from '@poolnet/protocol';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type {
  DeviceRecord,
  DeviceType,
  NewCredential,
  ServerStore,
  UserRecord,
} from '../store/store.js';
import { AddDeviceCodes, type AddDeviceCode } from './add-device-codes.js';
import { PendingChallenges } from './challenges.js';
import { resolveAuthConfig, type AuthConfig, type ResolvedAuthConfig } from './config.js';
import { deviceIdForCredential } from './credential-device.js';
import { AuthError, authErrorFromStore } from './errors.js';
import { SessionTokens, type AccessIdentity, type IssuedTokens } from './tokens.js';

/** Largest display name, in UTF-8 bytes. */
export const MAX_DISPLAY_NAME_BYTES = 64;
const DEVICE_TYPES: readonly DeviceType[] = ['desktop', 'browser', 'mobile', 'cli'];

/** The device being registered: what the user calls it and what kind it is. */
export interface DeviceDescription {
  readonly deviceName: string;
  readonly deviceType: DeviceType;
}

/** A started ceremony: the id to finish it with and the options for the authenticator. */
export interface RegistrationStart {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialCreationOptionsJSON;
}
export interface SignInStart {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialRequestOptionsJSON;
}

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;
const userHandleOf = (userId: UserId): string => Buffer.from(userId, 'utf8').toString('base64url');

function checkedName(what: string, value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') throw new AuthError('INVALID_ARGUMENT', `${what} is not a string`);
  const name = value.trim();
  if (name === '' || utf8Bytes(name) > maxBytes) {
    throw new AuthError('INVALID_ARGUMENT', `${what} must be 1..${maxBytes} UTF-8 bytes`);
  }
  return name;
}

function checkedDevice(device: DeviceDescription): DeviceDescription {
  if (!DEVICE_TYPES.includes(device.deviceType)) {
    throw new AuthError('INVALID_ARGUMENT', 'unknown device type');
  }
  return {
    deviceName: checkedName('device name', device.deviceName, MAX_DEVICE_NAME_BYTES),
    deviceType: device.deviceType,
  };
}

const verificationFailed = (message: string, cause?: unknown): AuthError =>
  new AuthError('VERIFICATION_FAILED', message, { cause });

/**
 * Accounts, passkeys, devices and tokens: everything the HTTP API's auth routes do
 * (ARCHITECTURE §6). Rules in ./RULES.md. Over a `ServerStore` and @simplewebauthn/server;
 * the only state of its own is short-lived (pending challenges, issued add-device codes).
 */
export class AuthService {
  private readonly config: ResolvedAuthConfig;
  private readonly challenges: PendingChallenges;
  private readonly codes: AddDeviceCodes;
  private readonly tokens: SessionTokens;

  constructor(
    private readonly store: ServerStore,
    config: AuthConfig,
  ) {
    this.config = resolveAuthConfig(config);
    const { clock, randomBytes } = this.config;
    this.challenges = new PendingChallenges(store, clock, randomBytes, this.config.challengeTtlMs);
    this.codes = new AddDeviceCodes(
      store,
      clock,
      randomBytes,
      this.config.codeTtlMs,
      this.config.serverUrl,
    );
    this.tokens = new SessionTokens(store, this.config);
  }

  // ---- registration: a new account with its first device

  /** Starts creating an account: options for `navigator.credentials.create`. */
  async startRegistration(
    request: { readonly displayName: string } & DeviceDescription,
  ): Promise<RegistrationStart> {
    const displayName = checkedName('display name', request.displayName, MAX_DISPLAY_NAME_BYTES);
    const device = checkedDevice(request);
    const userId = asUserId(this.randomId());
    const { id, challenge } = await this.challenges.issue({
      kind: 'registration',
      userId,
      displayName,
      ...device,
    });
    const options = await this.creationOptions(userId, displayName, challenge, []);
    return { challengeId: id, options };
  }

  /**
   * Verifies the new passkey and creates, in one store transaction, the user, the first
   * device, the passkey and the home pool ([AUTH2]); then signs the device in.
   */
  async finishRegistration(
    challengeId: string,
    response: RegistrationResponseJSON,
  ): Promise<IssuedTokens> {
    const pending = await this.challenges.take(challengeId, 'registration');
    const credential = await this.verifyNewPasskey(response, pending.challenge);
    const deviceId = deviceIdForCredential(credential.id);
    try {
      await this.store.createAccount({
        user: { id: pending.userId, displayName: pending.displayName },
        device: { id: deviceId, name: pending.deviceName, type: pending.deviceType },
        credential,
        homePool: { id: asPoolId(this.randomId()), ...this.config.homePool },
        now: this.config.clock.now(),
      });
    } catch (err) {
      throw authErrorFromStore(err, 'create account', { CONFLICT: 'CONFLICT' });
    }
    return this.tokens.issue(pending.userId, deviceId);
  }

  // ---- sign-in with a discoverable passkey

  /** Starts a sign-in: options for `navigator.credentials.get`, any passkey of this RP. */
  async startSignIn(): Promise<SignInStart> {
    const { id, challenge } = await this.challenges.issue({ kind: 'authentication' });
    const options = await generateAuthenticationOptions({
      rpID: this.config.rpId,
      challenge: Buffer.from(challenge, 'base64url'),
      userVerification: 'preferred',
      timeout: this.config.challengeTtlMs,
    });
    return { challengeId: id, options };
  }

  /**
   * Verifies the assertion against the stored passkey, stores its new counter (refusing one
   * that did not move forward, [AUTH10]) and signs in the passkey's device, unless that
   * device was revoked ([AUTH6]–[AUTH8]).
   */
  async finishSignIn(
    challengeId: string,
    response: AuthenticationResponseJSON,
  ): Promise<IssuedTokens> {
    const pending = await this.challenges.take(challengeId, 'authentication');
    const credentialId: unknown = (response as Partial<AuthenticationResponseJSON> | null)?.id;
    if (typeof credentialId !== 'string') throw verificationFailed('no credential id');
    const stored = await this.storeCall('find passkey', () =>
      this.store.findCredential(credentialId),
    );
    if (stored === undefined) throw verificationFailed('unknown passkey');

    const userHandle: unknown = response.response?.userHandle;
    // Browsers may send null or leave it out; when present it must be the owner's handle.
    const owner = userHandleOf(stored.userId);
    if (userHandle !== undefined && userHandle !== null && userHandle !== owner) {
      throw verificationFailed('the user handle is not the passkey owner');
    }
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: pending.challenge,
        expectedOrigin: [...this.config.origins],
        expectedRPID: this.config.rpId,
        // Counter 0 turns the library's own counter check off; ours below gives a typed error.
        credential: { id: stored.id, publicKey: Uint8Array.from(stored.publicKey), counter: 0 },
        requireUserVerification: false,
      });
    } catch (cause) {
      throw verificationFailed('the assertion did not verify', cause);
    }
    if (!verified.verified) throw verificationFailed('bad assertion signature');

    const counter = verified.authenticationInfo.newCounter;
    if ((counter > 0 || stored.counter > 0) && counter <= stored.counter) {
      throw new AuthError('COUNTER_ROLLBACK', 'the signature counter did not move forward');
    }
    const now = this.config.clock.now();
    const deviceId = deviceIdForCredential(stored.id);
    const device = await this.storeCall('sign in', async () => {
      await this.store.updateCredentialCounter(stored.id, counter, now);
      return this.store.getDevice(deviceId);
    });
    if (device.userId !== stored.userId) {
      throw new AuthError('INTERNAL', 'the passkey and its device belong to different users');
    }
    if (device.revokedAt !== null) throw new AuthError('REVOKED', 'the device was revoked');
    await this.storeCall('touch device', () => this.store.touchDevice(deviceId, now));
    return this.tokens.issue(device.userId, device.id);
  }

  // ---- tokens

  /** The identity behind an access token, or an `AuthError` ([AUTH3]–[AUTH6]). */
  authenticate(accessToken: string): Promise<AccessIdentity> {
    return this.tokens.authenticate(accessToken);
  }

  /** Rotates a refresh token ([AUTH5]). */
  refresh(refreshToken: string): Promise<IssuedTokens> {
    return this.tokens.refresh(refreshToken);
  }

  /** Ends a session: its refresh token and access tokens stop working ([AUTH4]). */
  signOut(sessionId: string): Promise<void> {
    return this.tokens.revoke(sessionId);
  }

  // ---- account

  /** Changes the user's display name, checked like the one given at registration. */
  async renameUser(userId: UserId, displayName: string): Promise<UserRecord> {
    const checked = checkedName('display name', displayName, MAX_DISPLAY_NAME_BYTES);
    return this.storeCall('rename user', () => this.store.renameUser(userId, checked));
  }

  // ---- devices

  /** The user's devices, revoked ones included, oldest first. */
  listDevices(userId: UserId): Promise<DeviceRecord[]> {
    return this.storeCall('list devices', () => this.store.listDevices(userId));
  }

  async renameDevice(userId: UserId, deviceId: NodeId, name: string): Promise<DeviceRecord> {
    const checked = checkedName('device name', name, MAX_DEVICE_NAME_BYTES);
    return this.storeCall('rename device', () =>
      this.store.renameDevice(userId, deviceId, checked),
    );
  }

  /** Revokes a device of the user; its sessions and access tokens stop at once ([AUTH6]). */
  revokeDevice(userId: UserId, deviceId: NodeId): Promise<DeviceRecord> {
    return this.storeCall('revoke device', () =>
      this.store.revokeDevice(userId, deviceId, this.config.clock.now()),
    );
  }

  // ---- adding a device by code

  /** A one-time code (and QR payload) a signed-in device shows to add another ([AUTH12]). */
  createAddDeviceCode(userId: UserId): Promise<AddDeviceCode> {
    return this.codes.create(userId);
  }

  /**
   * Starts registering a new device of the code's user. The code is checked but not used:
   * `INVALID_CODE`, `CODE_USED` or `EXPIRED` ([AUTH13]).
   */
  async startAddDevice(code: string, request: DeviceDescription): Promise<RegistrationStart> {
    const device = checkedDevice(request);
    const { codeHash, userId } = await this.codes.check(code);
    const [user, passkeys] = await this.storeCall('read account', () =>
      Promise.all([this.store.getUser(userId), this.store.listCredentials(userId)]),
    );
    const { id, challenge } = await this.challenges.issue({
      kind: 'add-device',
      userId,
      codeHash,
      ...device,
    });
    const exclude = passkeys.map((p) => ({ id: p.id, transports: [...p.transports] }));
    const options = await this.creationOptions(userId, user.displayName, challenge, exclude);
    return { challengeId: id, options };
  }

  /**
   * Verifies the new device's passkey, then uses the code and creates the device with its
   * passkey in one store call: a code used, expired or unknown by then creates nothing.
   */
  async finishAddDevice(
    challengeId: string,
    response: RegistrationResponseJSON,
  ): Promise<IssuedTokens> {
    const pending = await this.challenges.take(challengeId, 'add-device');
    const credential = await this.verifyNewPasskey(response, pending.challenge);
    let device: DeviceRecord;
    try {
      device = await this.store.consumeAddDeviceCode({
        codeHash: pending.codeHash,
        device: {
          id: deviceIdForCredential(credential.id),
          name: pending.deviceName,
          type: pending.deviceType,
        },
        credential,
        now: this.config.clock.now(),
      });
    } catch (err) {
      const error = authErrorFromStore(err, 'use add-device code', {
        NOT_FOUND: 'INVALID_CODE',
        EXPIRED: 'EXPIRED',
        EXHAUSTED: 'CODE_USED',
        CONFLICT: 'CONFLICT',
      });
      throw error;
    }
    if (device.userId !== pending.userId) {
      throw new AuthError('INTERNAL', 'the code changed hands between start and finish');
    }
    return this.tokens.issue(device.userId, device.id);
  }

  // ---- internals

  private randomId(): string {
    return idFromBytes(this.config.randomBytes(16));
  }

  private creationOptions(
    userId: UserId,
    displayName: string,
    challenge: string,
    excludeCredentials: { id: string; transports: string[] }[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: displayName,
      userDisplayName: displayName,
      // The handle is the user id's bytes, base64url both ways (the Go server's string
      // handle broke `userHandle` checks, original §4.2).
      userID: Buffer.from(userId, 'utf8'),
      challenge: Buffer.from(challenge, 'base64url'),
      timeout: this.config.challengeTtlMs,
      attestationType: 'none',
      excludeCredentials,
      // Discoverable, so sign-in needs no user name; verification preferred, not required.
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
  }

  /** The passkey a registration response creates, or `VERIFICATION_FAILED` ([AUTH9]). */
  private async verifyNewPasskey(
    response: RegistrationResponseJSON,
    challenge: string,
  ): Promise<NewCredential> {
    let result;
    try {
      result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: [...this.config.origins],
        expectedRPID: this.config.rpId,
        requireUserVerification: false,
      });
    } catch (cause) {
      throw verificationFailed('the registration did not verify', cause);
    }
    if (!result.verified) throw verificationFailed('the attestation did not verify');
    const { id, publicKey, counter, transports } = result.registrationInfo.credential;
    return { id, publicKey, counter, transports: transports ?? [] };
  }

  /** Runs store calls, turning their failures into `AuthError`s. */
  private async storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw authErrorFromStore(err, what, { NOT_FOUND: 'NOT_FOUND' });
    }
  }
}
