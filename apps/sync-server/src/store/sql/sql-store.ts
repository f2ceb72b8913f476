import type { NodeId, PoolId, UserId } from '@poolnet/protocol';
import { StoreError } from '../errors.js';
import type {
  Account,
  AddDeviceCodeRecord,
  PendingChallengeRecord,
  CredentialRecord,
  DeviceRecord,
  InviteId,
  InviteRecord,
  InviteUse,
  MemberRecord,
  NewAccount,
  NewCredential,
  NewDevice,
  PoolRecord,
  PoolSettings,
  PoolView,
  SecretHash,
  ServerStore,
  SessionRecord,
  UserRecord,
} from '../store.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import * as q from './queries.js';
import * as rows from './rows.js';

const notFound = (what: string): StoreError => new StoreError('NOT_FOUND', `${what} not found`);

/**
 * The `ServerStore` over any SQL driver. The rules live here once; the adapters only differ
 * in how they talk to their database and in their migrations.
 */
export class SqlStore implements ServerStore {
  constructor(private readonly db: SqlDriver) {}

  /** Runs `op` and turns driver errors into `StoreError`s (the cause is kept). */
  private async guard<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const kind = this.db.constraintOf(err);
      if (kind === 'unique')
        throw new StoreError('CONFLICT', `${what}: already exists`, { cause: err });
      if (kind === 'foreign-key') {
        throw new StoreError('NOT_FOUND', `${what}: a referenced record is missing`, {
          cause: err,
        });
      }
      throw new StoreError('INTERNAL', `${what} failed`, { cause: err });
    }
  }

  private async one<T>(
    ex: SqlExecutor,
    sql: string,
    params: readonly (string | number)[],
    map: (r: Readonly<Record<string, unknown>>) => T,
  ): Promise<T | undefined> {
    const [row] = await ex.all(sql, params);
    return row === undefined ? undefined : map(row);
  }

  private async insertDevice(ex: SqlExecutor, userId: UserId, d: NewDevice, now: number) {
    await ex.run(q.INSERT_DEVICE, [d.id, userId, d.name, d.type, now, now]);
    const device: DeviceRecord = { ...d, userId, createdAt: now, lastSeenAt: now, revokedAt: null };
    return device;
  }

  private async insertCredential(ex: SqlExecutor, userId: UserId, c: NewCredential, now: number) {
    const transports = JSON.stringify(c.transports);
    await ex.run(q.INSERT_CREDENTIAL, [c.id, userId, c.publicKey, c.counter, transports, now]);
    const credential: CredentialRecord = {
      id: c.id,
      userId,
      publicKey: new Uint8Array(c.publicKey),
      counter: c.counter,
      transports: [...c.transports],
      createdAt: now,
      lastUsedAt: null,
    };
    return credential;
  }

  private async insertPool(
    ex: SqlExecutor,
    p: { id: PoolId; name: string; ownerId: UserId; settings: PoolSettings },
    isHome: boolean,
    now: number,
  ): Promise<PoolRecord> {
    const { maxTextBytes, maxFileBytes } = p.settings;
    await ex.run(q.INSERT_POOL, [
      p.id,
      p.name,
      p.ownerId,
      isHome ? 1 : 0,
      maxTextBytes,
      maxFileBytes,
      now,
    ]);
    await ex.run(q.INSERT_MEMBER, [p.id, p.ownerId, 'owner', now]);
    return {
      id: p.id,
      name: p.name,
      ownerId: p.ownerId,
      isHome,
      settings: { ...p.settings },
      createdAt: now,
    };
  }

  private async poolOrThrow(ex: SqlExecutor, poolId: PoolId): Promise<PoolRecord> {
    const pool = await this.one(ex, q.SELECT_POOL, [poolId], rows.toPool);
    if (pool === undefined) throw notFound('pool');
    return pool;
  }

  private async ownedPool(ex: SqlExecutor, ownerId: UserId, poolId: PoolId): Promise<PoolRecord> {
    const pool = await this.one(ex, q.SELECT_POOL, [poolId], rows.toPool);
    if (pool === undefined || pool.ownerId !== ownerId) throw notFound('pool');
    return pool;
  }

  // ---- accounts and passkeys

  createAccount(a: NewAccount): Promise<Account> {
    return this.guard('create account', () =>
      this.db.transaction(async (tx) => {
        const { user: u, now } = a;
        await tx.run(q.INSERT_USER, [u.id, u.displayName, now]);
        const device = await this.insertDevice(tx, u.id, a.device, now);
        const credential = await this.insertCredential(tx, u.id, a.credential, now);
        const homePool = await this.insertPool(tx, { ...a.homePool, ownerId: u.id }, true, now);
        const user: UserRecord = { id: u.id, displayName: u.displayName, createdAt: now };
        return { user, device, credential, homePool };
      }),
    );
  }

  getUser(userId: UserId): Promise<UserRecord> {
    return this.guard('get user', async () => {
      const user = await this.one(this.db, q.SELECT_USER, [userId], rows.toUser);
      if (user === undefined) throw notFound('user');
      return user;
    });
  }

  renameUser(userId: UserId, displayName: string): Promise<UserRecord> {
    return this.guard('rename user', async () => {
      if ((await this.db.run(q.UPDATE_USER_NAME, [displayName, userId])) === 0) {
        throw notFound('user');
      }
      return this.getUser(userId);
    });
  }

  findCredential(credentialId: string): Promise<CredentialRecord | undefined> {
    return this.guard('find credential', () =>
      this.one(this.db, q.SELECT_CREDENTIAL, [credentialId], rows.toCredential),
    );
  }

  listCredentials(userId: UserId): Promise<CredentialRecord[]> {
    return this.guard('list credentials', async () =>
      (await this.db.all(q.SELECT_CREDENTIALS_OF_USER, [userId])).map(rows.toCredential),
    );
  }

  updateCredentialCounter(credentialId: string, counter: number, now: number): Promise<void> {
    return this.guard('update credential counter', async () => {
      if ((await this.db.run(q.UPDATE_CREDENTIAL_COUNTER, [counter, now, credentialId])) === 0) {
        throw notFound('credential');
      }
    });
  }

  // ---- devices

  getDevice(deviceId: NodeId): Promise<DeviceRecord> {
    return this.guard('get device', async () => {
      const device = await this.one(this.db, q.SELECT_DEVICE, [deviceId], rows.toDevice);
      if (device === undefined) throw notFound('device');
      return device;
    });
  }

  listDevices(userId: UserId): Promise<DeviceRecord[]> {
    return this.guard('list devices', async () =>
      (await this.db.all(q.SELECT_DEVICES_OF_USER, [userId])).map(rows.toDevice),
    );
  }

  renameDevice(userId: UserId, deviceId: NodeId, name: string): Promise<DeviceRecord> {
    return this.guard('rename device', async () => {
      if ((await this.db.run(q.UPDATE_DEVICE_NAME, [name, deviceId, userId])) === 0) {
        throw notFound('device');
      }
      return this.getDevice(deviceId);
    });
  }

  revokeDevice(userId: UserId, deviceId: NodeId, now: number): Promise<DeviceRecord> {
    return this.guard('revoke device', () =>
      this.db.transaction(async (tx) => {
        if ((await tx.run(q.REVOKE_DEVICE, [now, deviceId, userId])) === 0) {
          throw notFound('device');
        }
        await tx.run(q.REVOKE_SESSIONS_OF_DEVICE, [now, deviceId]);
        const device = await this.one(tx, q.SELECT_DEVICE, [deviceId], rows.toDevice);
        if (device === undefined) throw notFound('device');
        return device;
      }),
    );
  }

  setDeviceSigningKey(userId: UserId, deviceId: NodeId, key: string): Promise<void> {
    return this.guard('set device signing key', async () => {
      if ((await this.db.run(q.UPDATE_DEVICE_SIGNING_KEY, [key, deviceId, userId])) === 0) {
        throw notFound('device');
      }
    });
  }

  getDeviceSigningKey(userId: UserId, deviceId: NodeId): Promise<string | undefined> {
    return this.guard('get device signing key', async () => {
      const rows = await this.db.all(q.SELECT_DEVICE_SIGNING_KEY, [deviceId, userId]);
      const key = rows[0]?.signing_key;
      return typeof key === 'string' ? key : undefined;
    });
  }

  touchDevice(deviceId: NodeId, now: number): Promise<void> {
    return this.guard('touch device', async () => {
      if ((await this.db.run(q.TOUCH_DEVICE, [now, now, deviceId])) === 0) {
        throw notFound('device');
      }
    });
  }

  // ---- sessions

  createSession(s: {
    tokenHash: SecretHash;
    userId: UserId;
    deviceId: NodeId;
    expiresAt: number;
    now: number;
  }): Promise<SessionRecord> {
    return this.guard('create session', () =>
      this.db.transaction(async (tx) => {
        const device = await this.one(tx, q.SELECT_DEVICE, [s.deviceId], rows.toDevice);
        if (device === undefined || device.userId !== s.userId) throw notFound('device');
        if (device.revokedAt !== null) throw new StoreError('REVOKED', 'device revoked');
        await tx.run(q.INSERT_SESSION, [s.tokenHash, s.userId, s.deviceId, s.now, s.expiresAt]);
        const session: SessionRecord = {
          tokenHash: s.tokenHash,
          userId: s.userId,
          deviceId: s.deviceId,
          createdAt: s.now,
          expiresAt: s.expiresAt,
          revokedAt: null,
        };
        return session;
      }),
    );
  }

  findSession(tokenHash: SecretHash, now: number): Promise<SessionRecord> {
    return this.guard('find session', async () => {
      const [row] = await this.db.all(q.SELECT_SESSION, [tokenHash]);
      if (row === undefined) throw notFound('session');
      const session = rows.toSession(row);
      if (session.revokedAt !== null || row.device_revoked_at !== null) {
        throw new StoreError('REVOKED', 'session revoked');
      }
      if (now >= session.expiresAt) throw new StoreError('EXPIRED', 'session expired');
      return session;
    });
  }

  revokeSession(tokenHash: SecretHash, now: number): Promise<void> {
    return this.guard('revoke session', async () => {
      if ((await this.db.run(q.REVOKE_SESSION, [now, tokenHash])) === 0) throw notFound('session');
    });
  }

  // ---- add-device codes

  createAddDeviceCode(c: {
    codeHash: SecretHash;
    userId: UserId;
    expiresAt: number;
    now: number;
  }): Promise<AddDeviceCodeRecord> {
    return this.guard('create add-device code', async () => {
      await this.db.run(q.INSERT_ADD_DEVICE_CODE, [c.codeHash, c.userId, c.now, c.expiresAt]);
      const code: AddDeviceCodeRecord = {
        codeHash: c.codeHash,
        userId: c.userId,
        createdAt: c.now,
        expiresAt: c.expiresAt,
        usedAt: null,
      };
      return code;
    });
  }

  consumeAddDeviceCode(use: {
    codeHash: SecretHash;
    device: NewDevice;
    credential?: NewCredential;
    now: number;
  }): Promise<DeviceRecord> {
    return this.guard('consume add-device code', () =>
      this.db.transaction(async (tx) => {
        const code = await this.one(
          tx,
          q.SELECT_ADD_DEVICE_CODE,
          [use.codeHash],
          rows.toAddDeviceCode,
        );
        if (code === undefined) throw notFound('add-device code');
        if (code.usedAt !== null) throw new StoreError('EXHAUSTED', 'add-device code already used');
        if (use.now >= code.expiresAt) throw new StoreError('EXPIRED', 'add-device code expired');
        // The conditional UPDATE is the real check: a racing consumer changes 0 rows here.
        if ((await tx.run(q.CONSUME_ADD_DEVICE_CODE, [use.now, use.codeHash, use.now])) === 0) {
          throw new StoreError('EXHAUSTED', 'add-device code already used');
        }
        const device = await this.insertDevice(tx, code.userId, use.device, use.now);
        if (use.credential) await this.insertCredential(tx, code.userId, use.credential, use.now);
        return device;
      }),
    );
  }

  findAddDeviceCode(codeHash: SecretHash): Promise<AddDeviceCodeRecord | undefined> {
    return this.guard('find add-device code', () =>
      this.one(this.db, q.SELECT_ADD_DEVICE_CODE, [codeHash], rows.toAddDeviceCode),
    );
  }

  // ---- pending challenges

  putChallenge(c: PendingChallengeRecord & { now: number }): Promise<void> {
    return this.guard('put challenge', async () => {
      await this.db.run(q.SWEEP_CHALLENGES, [c.now]);
      await this.db.run(q.INSERT_CHALLENGE, [c.id, c.ceremony, c.challenge, c.expiresAt]);
    });
  }

  takeChallenge(id: string): Promise<PendingChallengeRecord | undefined> {
    return this.guard('take challenge', () =>
      this.db.transaction(async (tx) => {
        const found = await this.one(tx, q.SELECT_CHALLENGE, [id], rows.toChallenge);
        // The DELETE is the real check: a racing taker removes 0 rows and gets nothing.
        if (found === undefined || (await tx.run(q.DELETE_CHALLENGE, [id])) === 0) {
          return undefined;
        }
        return found;
      }),
    );
  }

  // ---- pools and members

  createPool(p: {
    id: PoolId;
    name: string;
    ownerId: UserId;
    settings: PoolSettings;
    now: number;
  }): Promise<PoolRecord> {
    return this.guard('create pool', () =>
      this.db.transaction((tx) => this.insertPool(tx, p, false, p.now)),
    );
  }

  getPool(poolId: PoolId): Promise<PoolRecord> {
    return this.guard('get pool', () => this.poolOrThrow(this.db, poolId));
  }

  renamePool(ownerId: UserId, poolId: PoolId, name: string): Promise<PoolRecord> {
    return this.guard('rename pool', async () => {
      if ((await this.db.run(q.UPDATE_POOL_NAME, [name, poolId, ownerId])) === 0) {
        throw notFound('pool');
      }
      return this.poolOrThrow(this.db, poolId);
    });
  }

  updatePoolSettings(
    ownerId: UserId,
    poolId: PoolId,
    settings: Partial<PoolSettings>,
  ): Promise<PoolRecord> {
    return this.guard('update pool settings', () =>
      this.db.transaction(async (tx) => {
        const pool = await this.ownedPool(tx, ownerId, poolId);
        const next = { ...pool.settings, ...settings };
        await tx.run(q.UPDATE_POOL_SETTINGS, [
          next.maxTextBytes,
          next.maxFileBytes,
          poolId,
          ownerId,
        ]);
        return { ...pool, settings: next };
      }),
    );
  }

  deletePool(ownerId: UserId, poolId: PoolId): Promise<void> {
    return this.guard('delete pool', () =>
      this.db.transaction(async (tx) => {
        const pool = await this.ownedPool(tx, ownerId, poolId);
        if (pool.isHome) throw new StoreError('CONFLICT', 'a home pool cannot be deleted');
        await tx.run(q.DELETE_POOL, [poolId, ownerId]);
      }),
    );
  }

  listPoolsOfUser(userId: UserId): Promise<PoolView[]> {
    return this.guard('list pools', () =>
      this.db.transaction(async (tx) => {
        const pools = (await tx.all(q.SELECT_POOLS_OF_USER, [userId])).map(rows.toPool);
        const members = await tx.all(q.SELECT_MEMBERS_OF_POOLS_OF_USER, [userId]);
        const devices = (await tx.all(q.SELECT_DEVICES_OF_POOL_MATES_OF_USER, [userId])).map(
          rows.toDevice,
        );
        return pools.map((pool) => ({
          pool,
          members: members
            .filter((m) => m.pool_id === pool.id)
            .map((m) => ({
              member: rows.toMember(m),
              displayName: String(m.display_name),
              devices: devices.filter((d) => d.userId === m.user_id),
            })),
        }));
      }),
    );
  }

  getMembership(poolId: PoolId, userId: UserId): Promise<MemberRecord | undefined> {
    return this.guard('get membership', () =>
      this.one(this.db, q.SELECT_MEMBER, [poolId, userId], rows.toMember),
    );
  }

  addMember(poolId: PoolId, userId: UserId, now: number): Promise<MemberRecord> {
    return this.guard('add member', () =>
      this.db.transaction(async (tx) => {
        const pool = await this.poolOrThrow(tx, poolId);
        if (pool.isHome) throw new StoreError('CONFLICT', 'a home pool has no other members');
        await tx.run(q.INSERT_MEMBER, [poolId, userId, 'member', now]);
        const member: MemberRecord = { poolId, userId, role: 'member', joinedAt: now };
        return member;
      }),
    );
  }

  removeMember(poolId: PoolId, userId: UserId): Promise<void> {
    return this.guard('remove member', () =>
      this.db.transaction(async (tx) => {
        const member = await this.one(tx, q.SELECT_MEMBER, [poolId, userId], rows.toMember);
        if (member === undefined) throw notFound('member');
        if (member.role === 'owner') throw new StoreError('CONFLICT', 'the owner cannot leave');
        await tx.run(q.DELETE_MEMBER, [poolId, userId]);
      }),
    );
  }

  // ---- invites

  createInvite(i: {
    id: InviteId;
    tokenHash: SecretHash;
    poolId: PoolId;
    createdBy: UserId;
    expiresAt: number;
    maxUses: number;
    now: number;
  }): Promise<InviteRecord> {
    return this.guard('create invite', () =>
      this.db.transaction(async (tx) => {
        const pool = await this.poolOrThrow(tx, i.poolId);
        if (pool.isHome) throw new StoreError('CONFLICT', 'a home pool cannot be shared');
        if (
          (await this.one(tx, q.SELECT_MEMBER, [i.poolId, i.createdBy], rows.toMember)) ===
          undefined
        ) {
          throw notFound('pool');
        }
        await tx.run(q.INSERT_INVITE, [
          i.id,
          i.tokenHash,
          i.poolId,
          i.createdBy,
          i.now,
          i.expiresAt,
          i.maxUses,
        ]);
        const invite: InviteRecord = {
          id: i.id,
          tokenHash: i.tokenHash,
          poolId: i.poolId,
          createdBy: i.createdBy,
          createdAt: i.now,
          expiresAt: i.expiresAt,
          maxUses: i.maxUses,
          uses: 0,
          revokedAt: null,
        };
        return invite;
      }),
    );
  }

  listInvites(poolId: PoolId): Promise<InviteRecord[]> {
    return this.guard('list invites', async () =>
      (await this.db.all(q.SELECT_INVITES_OF_POOL, [poolId])).map(rows.toInvite),
    );
  }

  revokeInvite(poolId: PoolId, inviteId: InviteId, now: number): Promise<InviteRecord> {
    return this.guard('revoke invite', () =>
      this.db.transaction(async (tx) => {
        if ((await tx.run(q.REVOKE_INVITE, [now, inviteId, poolId])) === 0)
          throw notFound('invite');
        const invite = await this.one(tx, q.SELECT_INVITE, [inviteId, poolId], rows.toInvite);
        if (invite === undefined) throw notFound('invite');
        return invite;
      }),
    );
  }

  useInvite(use: { tokenHash: SecretHash; userId: UserId; now: number }): Promise<InviteUse> {
    return this.guard('use invite', () =>
      this.db.transaction(async (tx) => {
        const invite = await this.one(tx, q.SELECT_INVITE_BY_TOKEN, [use.tokenHash], rows.toInvite);
        if (invite === undefined) throw notFound('invite');
        if (invite.revokedAt !== null) throw new StoreError('REVOKED', 'invite revoked');
        if (use.now >= invite.expiresAt) throw new StoreError('EXPIRED', 'invite expired');
        const pool = await this.poolOrThrow(tx, invite.poolId);
        const existing = await this.one(tx, q.SELECT_MEMBER, [pool.id, use.userId], rows.toMember);
        if (existing !== undefined) return { pool, member: existing, joined: false };
        if (invite.uses >= invite.maxUses) throw new StoreError('EXHAUSTED', 'invite used up');
        // The conditional UPDATE is the real check: of racing uses, only those that find a
        // use left change the row; the others see 0 rows and give up.
        if ((await tx.run(q.COUNT_INVITE_USE, [invite.id, use.now])) === 0) {
          throw new StoreError('EXHAUSTED', 'invite used up');
        }
        await tx.run(q.INSERT_MEMBER, [pool.id, use.userId, 'member', use.now]);
        const member: MemberRecord = {
          poolId: pool.id,
          userId: use.userId,
          role: 'member',
          joinedAt: use.now,
        };
        return { pool, member, joined: true };
      }),
    );
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
