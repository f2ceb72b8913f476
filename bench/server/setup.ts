/**
 * The untimed setup phase, over the server's HTTP API as real clients would do it: every node
 * is its own user, registered with a software passkey (`SoftwareAuthenticator`, the same
 * WebAuthn JSON a browser sends); it registers an Ed25519 signing key for its device
 * (`POST /v1/devices/signing-key`, needed for the certificate it gets at join) and joins the
 * pool by invite. Node 0 owns the pool(s) and creates the invites (at most 1,000 uses each,
 * the API's cap). Requests run `concurrency` at a time over keep-alive connections.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SoftwareAuthenticator } from '@poolnet/sync-server';
import './jwk-export-workaround.js';

/** One node's identity: what it needs to authenticate and join over WebSocket. */
export interface BenchNode {
  readonly index: number;
  readonly userId: string;
  readonly deviceId: string;
  readonly poolId: string;
  accessToken: string;
  /** When the access token expires (ms since the epoch; same machine, same clock). */
  accessExpiresAt: number;
  refreshToken: string;
}

export interface SetupOptions {
  readonly url: string;
  readonly origin: string;
  readonly nodes: number;
  readonly pools: number;
  readonly concurrency: number;
}

/** Tries per request when no response comes back at all. */
const NETWORK_ATTEMPTS = 3;
/** The API's cap on an invite's uses. */
const MAX_INVITE_USES = 1000;

interface Tokens {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
}

export class Api {
  constructor(private readonly url: string) {}

  async post<T>(path: string, body: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let res: Response | undefined;
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        res = await fetch(`${this.url}${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        });
      } catch (err) {
        // No response at all (a kept-alive socket the server closed meanwhile): try again on
        // a new one. Had the request been handled, the retry gets an HTTP error instead.
        // fetch says only "fetch failed"; what failed is in its cause.
        const cause = (err as { cause?: unknown }).cause;
        if (attempt >= NETWORK_ATTEMPTS) {
          throw new Error(`POST ${path}: ${String(cause ?? err)}`, { cause: err });
        }
      }
    }
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

/** Registers a new user with a fresh passkey; its first device is the node. */
async function register(api: Api, origin: string, name: string): Promise<Tokens> {
  const begin = await api.post<{
    challengeId: string;
    options: Parameters<SoftwareAuthenticator['register']>[0];
  }>('/v1/auth/register/begin', { displayName: name, deviceName: name, deviceType: 'cli' });
  const response = new SoftwareAuthenticator().register(begin.options, { origin });
  return api.post<Tokens>('/v1/auth/register/finish', {
    challengeId: begin.challengeId,
    response,
  });
}

const ED25519_PUBLIC_KEY_BYTES = 32;

/**
 * A fresh Ed25519 public key, raw 32 bytes as base64url (the device's signing key): the end
 * of its SPKI. Not via JWK: see jwk-export-workaround.ts.
 */
function signingPublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - ED25519_PUBLIC_KEY_BYTES).toString('base64url');
}

/** Runs `task(i)` for i in [0, count), at most `concurrency` at once; fails on the first error. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Creates the accounts, pools, invites and memberships; returns the nodes in index order. */
export async function setUp(
  options: SetupOptions,
  progress: (done: number) => void = () => undefined,
): Promise<BenchNode[]> {
  const api = new Api(options.url);
  const owner = await register(api, options.origin, 'node-0');
  const pools: { id: string; invites: string[] }[] = [];
  for (let p = 0; p < options.pools; p++) {
    const { pool } = await api.post<{ pool: { id: string } }>(
      '/v1/pools/create',
      { name: `bench-${p}` },
      owner.accessToken,
    );
    // Pool p takes nodes p, p + pools, …; the owner (node 0) is a member of every pool.
    const joiners = Math.ceil((options.nodes - p) / options.pools) - (p === 0 ? 1 : 0);
    const invites: string[] = [];
    for (let left = joiners; left > 0; left -= MAX_INVITE_USES) {
      const { token } = await api.post<{ token: string }>(
        '/v1/invites/create',
        { poolId: pool.id, maxUses: Math.min(left, MAX_INVITE_USES) },
        owner.accessToken,
      );
      invites.push(token);
    }
    pools.push({ id: pool.id, invites });
  }

  const nodes: BenchNode[] = new Array<BenchNode>(options.nodes);
  let done = 0;
  await inParallel(options.nodes, options.concurrency, async (index) => {
    const poolIndex = index % options.pools;
    const pool = pools[poolIndex];
    if (pool === undefined) throw new Error(`no pool ${poolIndex}`);
    const tokens = index === 0 ? owner : await register(api, options.origin, `node-${index}`);
    await api.post(
      '/v1/devices/signing-key',
      { publicKey: signingPublicKey() },
      tokens.accessToken,
    );
    if (index !== 0) {
      // The k-th joiner of a pool uses invite floor(k / MAX_INVITE_USES) of that pool.
      const k = Math.floor(index / options.pools) - (poolIndex === 0 ? 1 : 0);
      const invite = pool.invites[Math.floor(k / MAX_INVITE_USES)];
      if (invite === undefined) throw new Error(`no invite for node ${index}`);
      await api.post('/v1/invites/join', { token: invite }, tokens.accessToken);
    }
    nodes[index] = {
      index,
      userId: tokens.userId,
      deviceId: tokens.deviceId,
      poolId: pool.id,
      accessToken: tokens.accessToken,
      accessExpiresAt: tokens.accessExpiresAt,
      refreshToken: tokens.refreshToken,
    };
    progress(++done);
  });
  return nodes;
}

/**
 * Refreshes the node's tokens if its access token expires within `marginMs` (15 minutes is
 * the server's access token lifetime; a slow join phase outlasts it, as a real node's session
 * would). Returns whether it did.
 */
export async function refreshIfStale(
  api: Api,
  node: BenchNode,
  marginMs: number,
): Promise<boolean> {
  if (node.accessExpiresAt - Date.now() > marginMs) return false;
  const tokens = await api.post<Tokens>('/v1/auth/refresh', { refreshToken: node.refreshToken });
  node.accessToken = tokens.accessToken;
  node.accessExpiresAt = tokens.accessExpiresAt;
  node.refreshToken = tokens.refreshToken;
  return true;
}
