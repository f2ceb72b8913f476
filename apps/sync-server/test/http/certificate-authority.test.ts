import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nobleCrypto, verifyCertificate } from '@poolnet/engine';
import { asNodeId, asUserId } from '@poolnet/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateAuthority, ConfigError } from '../../src/http/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('certificate authority', () => {
  it('[HTTP18] the authority key is created once, owner-only, and kept across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-ca-'));
    dirs.push(dir);
    const path = join(dir, 'keys', 'authority.key');
    const first = await CertificateAuthority.open(path, 60_000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await CertificateAuthority.open(path, 60_000);
    expect(again.publicKey).toEqual(first.publicKey);

    const device = nobleCrypto.generateKeyPair();
    const cert = again.issue({
      nodeId: asNodeId('d1'),
      userId: asUserId('u1'),
      publicKey: device.publicKey,
      nowMs: 1_000,
    });
    expect(cert.expiresAtMs).toBe(61_000n);
    expect(verifyCertificate(nobleCrypto, cert, first.publicKey, 2_000)).toBe(true);
    expect(verifyCertificate(nobleCrypto, cert, first.publicKey, 61_000)).toBe(false);
    expect((await readFile(path, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('[HTTP18] a damaged key file is a ConfigError, never a new key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolnet-ca-'));
    dirs.push(dir);
    const path = join(dir, 'authority.key');
    await writeFile(path, 'not a key\n');
    await expect(CertificateAuthority.open(path, 60_000)).rejects.toBeInstanceOf(ConfigError);
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });
});
