/**
 * The pool certificate authority: the sync server signs which Ed25519 key belongs to which
 * node of which user ([ID2]). Its key must survive restarts (every certificate a node holds
 * names it), so it lives in a file created once with owner-only permissions; `wx` makes two
 * servers racing on a fresh data directory agree on the first key written.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeviceCertificate, NodeId, UserId } from '@poolnet/protocol';
import { issueCertificate, nobleCrypto } from '@poolnet/engine';
import { nodeCrypto } from '@poolnet/platform-node';
import { ConfigError } from './errors.js';

const SECRET_KEY_BYTES = 32;

const fastCrypto = nodeCrypto();

export class CertificateAuthority {
  readonly publicKey: Uint8Array;

  /** `secretKey`: a raw 32-byte Ed25519 seed. */
  constructor(
    private readonly secretKey: Uint8Array,
    private readonly validForMs: number,
  ) {
    if (secretKey.length !== SECRET_KEY_BYTES) {
      throw new RangeError('the authority key is a 32-byte Ed25519 seed');
    }
    this.publicKey = derivePublicKey(secretKey);
  }

  /** The key in `path` (hex), created when missing. */
  static async open(path: string, validForMs: number): Promise<CertificateAuthority> {
    return new CertificateAuthority(await loadOrCreateKey(path), validForMs);
  }

  /** A certificate for `publicKey` as `nodeId` of `userId`, valid from `nowMs`. */
  issue(request: {
    readonly nodeId: NodeId;
    readonly userId: UserId;
    readonly publicKey: Uint8Array;
    readonly nowMs: number;
  }): DeviceCertificate {
    // node:crypto's Ed25519: about 10x faster than the portable one, and joins sign one each.
    return issueCertificate(fastCrypto, this.secretKey, {
      nodeId: request.nodeId,
      userId: request.userId,
      publicKey: request.publicKey,
      expiresAtMs: request.nowMs + this.validForMs,
    });
  }
}

/** PKCS#8 DER header of an Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derivePublicKey(secretKey: Uint8Array): Uint8Array {
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(x ?? '', 'base64url'));
}

async function loadOrCreateKey(path: string): Promise<Uint8Array> {
  try {
    return parseKey(await readFile(path, 'utf8'), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  const { secretKey } = nobleCrypto.generateKeyPair();
  try {
    await writeFile(path, `${Buffer.from(secretKey).toString('hex')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
    return secretKey;
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseKey(await readFile(path, 'utf8'), path);
  }
}

function parseKey(text: string, path: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) {
    throw new ConfigError([
      { path: 'authorityKeyPath', message: `${path} does not hold a 64-digit hex Ed25519 seed` },
    ]);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
