import { asNodeId, asPoolId, asUserId } from '@poolnet/protocol';
import type { NodeId, PoolId, UserId } from '@poolnet/protocol';
import { isStoreError } from '../errors.js';
import type { StoreErrorCode } from '../errors.js';
import type { Account, NewCredential, PoolSettings, ServerStore } from '../store.js';

/** One case of the server store contract. Framework-free: it throws on failure. */
export interface ServerStoreContractCase {
  readonly id: string;
  readonly name: string;
  run(make: () => Promise<ServerStore>): Promise<void>;
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`server store contract violated: ${message}`);
}

/** Awaits `op` and checks it failed with a `StoreError` of `code`. */
export async function expectError(
  op: Promise<unknown>,
  code: StoreErrorCode,
  what: string,
): Promise<void> {
  try {
    await op;
  } catch (err) {
    check(isStoreError(err, code), `${what}: expected ${code}, got ${String(err)}`);
    return;
  }
  check(false, `${what}: expected ${code}, but it succeeded`);
}

/** A fixed starting time; cases add to it, never read the clock. */
export const T0 = 1_700_000_000_000;
export const MINUTE = 60_000;
export const settings: PoolSettings = { maxTextBytes: 4096, maxFileBytes: 1_000_000_000 };

export const user = (n: number): UserId => asUserId(`user-${n}`);
export const device = (n: number, k = 1): NodeId => asNodeId(`device-${n}-${k}`);
export const home = (n: number): PoolId => asPoolId(`home-${n}`);
export const pool = (name: string): PoolId => asPoolId(`pool-${name}`);

export const credential = (id: string, fill = 7): NewCredential => ({
  id,
  publicKey: new Uint8Array([0xa5, 1, 2, 3, 0, 255, fill]),
  counter: 0,
  transports: ['internal', 'hybrid'],
});

/** Registers user `n` with device `device(n)`, passkey `cred-n` and home pool `home(n)`. */
export const register = (store: ServerStore, n: number, now = T0 + n): Promise<Account> =>
  store.createAccount({
    user: { id: user(n), displayName: `User ${n}` },
    device: { id: device(n), name: `Laptop ${n}`, type: 'desktop' },
    credential: credential(`cred-${n}`, n),
    homePool: { id: home(n), name: 'Home', settings },
    now,
  });

/** A JSON view of everything the store holds about a user, to compare before and after. */
export async function snapshot(store: ServerStore, userId: UserId): Promise<string> {
  const devices = await store.listDevices(userId);
  return JSON.stringify({
    user: await store.getUser(userId),
    credentials: (await store.listCredentials(userId)).map((c) => ({
      ...c,
      publicKey: [...c.publicKey],
    })),
    devices,
    pools: await store.listPoolsOfUser(userId),
    invites: await Promise.all(
      (await store.listPoolsOfUser(userId)).map((v) => store.listInvites(v.pool.id)),
    ),
  });
}
