import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { encodeCbor, type CborValue } from './cbor-encoder.js';
import { AuthError } from './errors.js';

/** A passkey held by a `SoftwareAuthenticator`, in a form that can be saved and loaded. */
export interface SoftwareCredential {
  /** Credential id, base64url. */
  readonly id: string;
  readonly rpId: string;
  /** `user.id` of the creation options (base64url), returned as `userHandle`. */
  readonly userHandle: string;
  /** The P-256 private key, PKCS#8 DER, base64url. */
  readonly privateKey: string;
  /** The signature counter of the last assertion (0 after registration). */
  readonly signCount: number;
}

/** What the client (browser or daemon) adds: the origin it runs on. */
export interface ClientContext {
  readonly origin: string;
  /**
   * The RP id whose hash goes into authenticatorData. Defaults to the one in the options;
   * set it only to play a misbehaving client in tests.
   */
  readonly rpId?: string;
}

interface HeldCredential {
  readonly id: string;
  readonly rpId: string;
  readonly userHandle: string;
  readonly key: KeyObject;
  signCount: number;
}

const ES256 = -7;
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
/** "none" attestation: no make or model to tell, so the AAGUID is all zeros. */
const AAGUID = new Uint8Array(16);

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function counterBytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** The COSE_Key (RFC 9053) of a P-256 public key: kty EC2, alg ES256, crv P-256, x, y. */
function coseKeyOf(key: KeyObject): Uint8Array {
  // From the DER form, not JWK: on Node 20 a GC during the JWK export of a freshly generated
  // EC key can deadlock the process. A P-256 SPKI ends with the point 0x04 || x || y.
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const point = spki.subarray(spki.length - 65);
  if (point[0] !== 0x04) throw new Error('not an uncompressed P-256 public key');
  const jwk = { x: point.subarray(1, 33), y: point.subarray(33, 65) };
  return encodeCbor(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, ES256],
      [-1, 1],
      [-2, jwk.x],
      [-3, jwk.y],
    ]),
  );
}

/**
 * A WebAuthn authenticator in software: ES256 (P-256) passkeys, resident (discoverable),
 * "none" attestation, a signature counter per passkey ([AUTH11]). What it returns is the
 * JSON a browser's `navigator.credentials` would hand to the server, so the server verifies
 * it with the same code as a real passkey. Tests use it in place of a browser; the daemon
 * uses it to sign in without one (its passkey lives in its data directory, see
 * `exportCredentials`). It always reports user presence and, unless told otherwise, user
 * verification: the daemon's own unlock stands in for the user's gesture.
 */
export class SoftwareAuthenticator {
  private readonly held: HeldCredential[];

  constructor(
    credentials: readonly SoftwareCredential[] = [],
    private readonly options: { readonly userVerified?: boolean } = {},
  ) {
    this.held = credentials.map((c) => ({
      id: c.id,
      rpId: c.rpId,
      userHandle: c.userHandle,
      key: createPrivateKey({
        key: Buffer.from(c.privateKey, 'base64url'),
        format: 'der',
        type: 'pkcs8',
      }),
      signCount: c.signCount,
    }));
  }

  /** `navigator.credentials.create`: a new resident passkey for `options.user`. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    client: ClientContext,
  ): RegistrationResponseJSON {
    if (!options.pubKeyCredParams.some((p) => p.alg === ES256)) {
      throw new AuthError('INVALID_ARGUMENT', 'the relying party does not accept ES256');
    }
    const rpId = options.rp.id ?? new URL(client.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.held.some((c) => excluded.has(c.id))) {
      throw new AuthError('CONFLICT', 'this authenticator holds an excluded passkey');
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credentialId = randomBytes(32);
    const credential: HeldCredential = {
      id: b64u(credentialId),
      rpId,
      userHandle: options.user.id,
      key: privateKey,
      signCount: 0,
    };
    // A resident passkey replaces the one the same user had at the same RP.
    const old = this.held.findIndex((c) => c.rpId === rpId && c.userHandle === options.user.id);
    if (old >= 0) this.held.splice(old, 1);
    this.held.push(credential);

    const idLength = new Uint8Array(2);
    new DataView(idLength.buffer).setUint16(0, credentialId.length);
    const authData = Buffer.concat([
      sha256(client.rpId ?? rpId),
      Uint8Array.of(this.flags() | FLAG_AT),
      counterBytes(credential.signCount),
      AAGUID,
      idLength,
      credentialId,
      coseKeyOf(privateKey),
    ]);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CborValue>()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, client.origin);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        attestationObject: b64u(attestationObject),
        authenticatorData: b64u(authData),
        transports: ['internal'],
        publicKeyAlgorithm: ES256,
        publicKey: b64u(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /**
   * `navigator.credentials.get`: an assertion by a passkey in `allowCredentials`, or with
   * none listed, the newest resident passkey for the RP. Advances that passkey's counter.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    client: ClientContext,
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(client.origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const candidates = this.held.filter(
      (c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id)),
    );
    const credential = candidates[candidates.length - 1];
    if (credential === undefined) {
      throw new AuthError('NOT_FOUND', `no passkey for ${rpId} on this authenticator`);
    }
    credential.signCount += 1;
    const authData = Buffer.concat([
      sha256(client.rpId ?? rpId),
      Uint8Array.of(this.flags()),
      counterBytes(credential.signCount),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, client.origin);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.key,
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** The passkeys held, private keys included: for saving, or for cloning in a test. */
  exportCredentials(): SoftwareCredential[] {
    return this.held.map((c) => ({
      id: c.id,
      rpId: c.rpId,
      userHandle: c.userHandle,
      privateKey: b64u(c.key.export({ format: 'der', type: 'pkcs8' })),
      signCount: c.signCount,
    }));
  }

  private flags(): number {
    return FLAG_UP | (this.options.userVerified === false ? 0 : FLAG_UV);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }
}
