/**
 * The sync server's WebAuthn ceremonies as a device runs them: ask the server to begin, let
 * the device's authenticator answer, finish for tokens. Shared by the daemon (a built-in
 * software authenticator) and the page (the browser's own, through WebAuthn); only the
 * authenticator and the device type differ. Keeping what the tokens mean (account file,
 * IndexedDB record) stays with each host.
 */
import { base64 } from './file-views.js';
import type { Json, ServerApi, Tokens } from './server-api.js';

/** A WebAuthn authenticator: its answers are the JSON the server's verifier takes. */
export interface Passkeys {
  /** Makes a credential for the server's creation options (register, link). */
  create(options: Json): unknown;
  /** Signs the server's request options (sign-in). */
  get(options: Json): unknown;
}

/** How the server lists the device (`cli` for the daemon, `browser` for the page). */
export type DeviceKind = 'cli' | 'browser';

type CeremonyApi = Pick<ServerApi, 'call' | 'authed'>;

/** Creates a user with this device as its first device and a new passkey. */
export function registerUser(
  api: CeremonyApi,
  passkeys: Passkeys,
  fields: { displayName: string; deviceName: string; deviceType: DeviceKind },
): Promise<Tokens> {
  return creation(api, passkeys, '/v1/auth/register', fields);
}

/** Makes this device (and its new passkey) a device of the user who made `code`. */
export function linkDevice(
  api: CeremonyApi,
  passkeys: Passkeys,
  fields: { code: string; deviceName: string; deviceType: DeviceKind },
): Promise<Tokens> {
  return creation(api, passkeys, '/v1/devices/link', { ...fields, code: fields.code.trim() });
}

/** Signs in with a passkey the authenticator holds. */
export async function passkeySignIn(api: CeremonyApi, passkeys: Passkeys): Promise<Tokens> {
  const begin: Json = await api.call('POST', '/v1/auth/sign-in/begin');
  const response = await passkeys.get(begin.options);
  return (await api.call('POST', '/v1/auth/sign-in/finish', {
    challengeId: begin.challengeId,
    response,
  })) as Tokens;
}

/** Tells the server the public half of the device's message-signing key (Ed25519). */
export async function registerSigningKey(api: CeremonyApi, publicKey: Uint8Array): Promise<void> {
  await api.authed('POST', '/v1/devices/signing-key', { publicKey: base64url(publicKey) });
}

async function creation(
  api: CeremonyApi,
  passkeys: Passkeys,
  path: '/v1/auth/register' | '/v1/devices/link',
  fields: Record<string, string>,
): Promise<Tokens> {
  const begin: Json = await api.call('POST', `${path}/begin`, fields);
  const response = await passkeys.create(begin.options);
  return (await api.call('POST', `${path}/finish`, {
    challengeId: begin.challengeId,
    response,
  })) as Tokens;
}

/** Base64url without padding, as the server takes keys. */
export const base64url = (bytes: Uint8Array): string =>
  base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
