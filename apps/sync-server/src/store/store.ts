import type { Brand, NodeId, PoolId, UserId } from '@poolnet/protocol';

/**
 * The durable state of the sync server: accounts, passkeys, devices, sessions, add-device
 * codes, pools, members and invites. One interface, two adapters (SQLite and PostgreSQL),
 * one contract suite (`contract.ts`) that both pass.
 *
 * Rules every adapter keeps:
 * - Times are milliseconds since the epoch and always passed in (`now`); the store never
 *   reads the clock. Something expires when `now >= expiresAt`.
 * - Ids and secrets are made by the caller; the store keeps only hashes of bearer secrets
 *   (see `hashSecret`).
 * - Failures are `StoreError`s with a stable code; driver errors become `INTERNAL`.
 * - Operations scoped to a user (`userId`, `ownerId`) only ever touch that user's rows;
 *   a row of someone else reads as `NOT_FOUND`.
 */

/** Hex SHA-256 of a bearer secret (refresh token, add-device code, invite token). */
export type SecretHash = string;
/** An invite's public handle, for listing and revoking; not the secret token. */
export type InviteId = Brand<string, 'InviteId'>;
export const asInviteId = (s: string): InviteId => s as InviteId;

export type DeviceType = 'desktop' | 'browser' | 'mobile' | 'cli';
export type MemberRole = 'owner' | 'member';

export interface UserRecord {
  readonly id: UserId;
  readonly displayName: string;
  readonly createdAt: number;
}

/** A WebAuthn credential (passkey) of a user. */
export interface CredentialRecord {
  /** The credential id, base64url as WebAuthn hands it over. */
  readonly id: string;
  readonly userId: UserId;
  /** COSE-encoded public key. */
  readonly publicKey: Uint8Array;
  /** The authenticator's signature counter, as last verified. */
  readonly counter: number;
  /** Transport hints (`internal`, `usb`, `hybrid`…), passed back to the browser. */
  readonly transports: readonly string[];
  readonly createdAt: number;
  /** When the counter was last updated by a sign-in; `null` if never. */
  readonly lastUsedAt: number | null;
}

/** A device of a user. Its id is the node id it uses in every pool. */
export interface DeviceRecord {
  readonly id: NodeId;
  readonly userId: UserId;
  readonly name: string;
  readonly type: DeviceType;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly revokedAt: number | null;
}

/** A refresh-token session, bound to one device. */
export interface SessionRecord {
  readonly tokenHash: SecretHash;
  readonly userId: UserId;
  readonly deviceId: NodeId;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** A one-time code that lets a signed-in device add another device to the same account. */
export interface AddDeviceCodeRecord {
  readonly codeHash: SecretHash;
  readonly userId: UserId;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/** A WebAuthn challenge waiting for its ceremony to finish. */
export interface PendingChallengeRecord {
  readonly id: string;
  /** What the auth service remembers about the ceremony, as JSON. */
  readonly ceremony: string;
  /** The base64url challenge the authenticator must sign. */
  readonly challenge: string;
  readonly expiresAt: number;
}

export interface PoolSettings {
  /** Largest chat text a member may send, in UTF-8 bytes. */
  readonly maxTextBytes: number;
  /** Largest file a member may share, in bytes. */
  readonly maxFileBytes: number;
}

export interface PoolRecord {
  readonly id: PoolId;
  readonly name: string;
  readonly ownerId: UserId;
  /** The owner's private home pool: one per user, never shared, never deleted. */
  readonly isHome: boolean;
  readonly settings: PoolSettings;
  readonly createdAt: number;
}

export interface MemberRecord {
  readonly poolId: PoolId;
  readonly userId: UserId;
  readonly role: MemberRole;
  readonly joinedAt: number;
}

export interface InviteRecord {
  readonly id: InviteId;
  readonly tokenHash: SecretHash;
  readonly poolId: PoolId;
  readonly createdBy: UserId;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly uses: number;
  readonly revokedAt: number | null;
}

/** A pool as its members see it: who is in it and which (unrevoked) devices they have. */
export interface PoolView {
  readonly pool: PoolRecord;
  readonly members: readonly {
    readonly member: MemberRecord;
    readonly displayName: string;
    readonly devices: readonly DeviceRecord[];
  }[];
}

export interface NewDevice {
  readonly id: NodeId;
  readonly name: string;
  readonly type: DeviceType;
}

export interface NewCredential {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
}

export interface NewAccount {
  readonly user: { readonly id: UserId; readonly displayName: string };
  readonly device: NewDevice;
  readonly credential: NewCredential;
  readonly homePool: {
    readonly id: PoolId;
    readonly name: string;
    readonly settings: PoolSettings;
  };
  readonly now: number;
}

export interface Account {
  readonly user: UserRecord;
  readonly device: DeviceRecord;
  readonly credential: CredentialRecord;
  readonly homePool: PoolRecord;
}

export interface InviteUse {
  readonly pool: PoolRecord;
  readonly member: MemberRecord;
  /** False when the user was already a member; then no use was counted. */
  readonly joined: boolean;
}

export interface ServerStore {
  // ---- accounts and passkeys

  /**
   * Registers a user with their first device, first passkey and home pool (owned, with the
   * user as its only member), all in one transaction: either everything exists afterwards
   * or nothing does. `CONFLICT` if any of the ids is taken.
   */
  createAccount(account: NewAccount): Promise<Account>;

  /** The user, or `NOT_FOUND`. */
  getUser(userId: UserId): Promise<UserRecord>;

  /** Changes the user's display name. `NOT_FOUND` if there is no such user. */
  renameUser(userId: UserId, displayName: string): Promise<UserRecord>;

  /** The passkey with this credential id, or `undefined` (sign-in with an unknown key). */
  findCredential(credentialId: string): Promise<CredentialRecord | undefined>;

  /** All passkeys of the user, oldest first (for `allowCredentials`/`excludeCredentials`). */
  listCredentials(userId: UserId): Promise<CredentialRecord[]>;

  /**
   * Stores the signature counter verified by a sign-in and marks the passkey used at `now`.
   * The caller has checked that the counter moved forward. `NOT_FOUND` if unknown.
   */
  updateCredentialCounter(credentialId: string, counter: number, now: number): Promise<void>;

  // ---- devices

  /** The device, revoked or not, or `NOT_FOUND`. */
  getDevice(deviceId: NodeId): Promise<DeviceRecord>;

  /** The user's devices, revoked ones included, oldest first. */
  listDevices(userId: UserId): Promise<DeviceRecord[]>;

  /** Renames one of the user's devices. `NOT_FOUND` if it is not theirs. */
  renameDevice(userId: UserId, deviceId: NodeId, name: string): Promise<DeviceRecord>;

  /**
   * Revokes one of the user's devices and, in the same transaction, all its sessions. Doing
   * it again changes nothing (the first `revokedAt` stays). `NOT_FOUND` if it is not theirs.
   */
  revokeDevice(userId: UserId, deviceId: NodeId, now: number): Promise<DeviceRecord>;

  /** Records that the device was seen at `now` (never moves backwards). `NOT_FOUND` if unknown. */
  touchDevice(deviceId: NodeId, now: number): Promise<void>;

  /**
   * Sets (or replaces) the pool-message signing key (32 bytes, base64url) of a live device of
   * the user; NOT_FOUND for another user's, a revoked or an unknown device.
   */
  setDeviceSigningKey(userId: UserId, deviceId: NodeId, key: string): Promise<void>;

  /** The device's signing key; `undefined` if none was set, or the device is revoked or not the user's. */
  getDeviceSigningKey(userId: UserId, deviceId: NodeId): Promise<string | undefined>;

  // ---- sessions (refresh tokens)

  /**
   * Opens a session for one of the user's devices. `NOT_FOUND` if the device is not theirs,
   * `REVOKED` if the device is revoked, `CONFLICT` if the token hash exists.
   */
  createSession(session: {
    readonly tokenHash: SecretHash;
    readonly userId: UserId;
    readonly deviceId: NodeId;
    readonly expiresAt: number;
    readonly now: number;
  }): Promise<SessionRecord>;

  /**
   * The live session with this token hash. `NOT_FOUND` if unknown, `REVOKED` if the session
   * or its device was revoked, `EXPIRED` if past its expiry.
   */
  findSession(tokenHash: SecretHash, now: number): Promise<SessionRecord>;

  /** Revokes a session (sign-out). Idempotent. `NOT_FOUND` if unknown. */
  revokeSession(tokenHash: SecretHash, now: number): Promise<void>;

  // ---- add-device codes

  /** Stores a one-time add-device code for the user. `CONFLICT` if the hash exists. */
  createAddDeviceCode(code: {
    readonly codeHash: SecretHash;
    readonly userId: UserId;
    readonly expiresAt: number;
    readonly now: number;
  }): Promise<AddDeviceCodeRecord>;

  /**
   * Uses a code to add a device (and optionally the passkey it registered) to the code's
   * user. Atomic: of concurrent calls with one code at most one succeeds. `NOT_FOUND` if
   * unknown, `EXPIRED` if too late, `EXHAUSTED` if already used, `CONFLICT` if the device or
   * credential id is taken (then the code stays unused).
   */
  consumeAddDeviceCode(use: {
    readonly codeHash: SecretHash;
    readonly device: NewDevice;
    readonly credential?: NewCredential;
    readonly now: number;
  }): Promise<DeviceRecord>;

  /**
   * [DB24] The code with this hash, used or not, or `undefined`: any instance of a cluster
   * can check a code another one issued.
   */
  findAddDeviceCode(codeHash: SecretHash): Promise<AddDeviceCodeRecord | undefined>;

  // ---- pending WebAuthn challenges

  /**
   * [DB24] Keeps a pending challenge until `expiresAt`; expired ones are swept on the way.
   * `CONFLICT` if the id exists.
   */
  putChallenge(challenge: PendingChallengeRecord & { readonly now: number }): Promise<void>;

  /**
   * Takes a pending challenge: it is removed whatever its state, so it is answered at most
   * once. Of concurrent takes at most one gets it; `undefined` when unknown or taken.
   */
  takeChallenge(id: string): Promise<PendingChallengeRecord | undefined>;

  // ---- pools and members

  /** Creates a shared pool owned (and joined, as `owner`) by `ownerId`. `CONFLICT` if the id is taken. */
  createPool(pool: {
    readonly id: PoolId;
    readonly name: string;
    readonly ownerId: UserId;
    readonly settings: PoolSettings;
    readonly now: number;
  }): Promise<PoolRecord>;

  /** The pool, or `NOT_FOUND`. */
  getPool(poolId: PoolId): Promise<PoolRecord>;

  /** Renames a pool of `ownerId`. `NOT_FOUND` if the pool is not theirs. */
  renamePool(ownerId: UserId, poolId: PoolId, name: string): Promise<PoolRecord>;

  /** Changes some settings of a pool of `ownerId`. `NOT_FOUND` if the pool is not theirs. */
  updatePoolSettings(
    ownerId: UserId,
    poolId: PoolId,
    settings: Partial<PoolSettings>,
  ): Promise<PoolRecord>;

  /**
   * Deletes a pool of `ownerId` with its members and invites. `NOT_FOUND` if the pool is not
   * theirs, `CONFLICT` for a home pool.
   */
  deletePool(ownerId: UserId, poolId: PoolId): Promise<void>;

  /**
   * The pools the user is a member of (home pool included), oldest first, each with its
   * members (by join time) and their unrevoked devices.
   */
  listPoolsOfUser(userId: UserId): Promise<PoolView[]>;

  /** The user's membership of the pool, or `undefined`. */
  getMembership(poolId: PoolId, userId: UserId): Promise<MemberRecord | undefined>;

  /**
   * Adds a member with role `member`. `NOT_FOUND` if pool or user is unknown, `CONFLICT` if
   * already a member or the pool is a home pool.
   */
  addMember(poolId: PoolId, userId: UserId, now: number): Promise<MemberRecord>;

  /**
   * Removes a member. `NOT_FOUND` if not a member, `CONFLICT` for the owner (delete the pool
   * instead).
   */
  removeMember(poolId: PoolId, userId: UserId): Promise<void>;

  // ---- invites

  /**
   * Creates an invite to a shared pool by one of its members. `NOT_FOUND` if the creator is
   * not a member, `CONFLICT` for a home pool or a taken id or token hash.
   */
  createInvite(invite: {
    readonly id: InviteId;
    readonly tokenHash: SecretHash;
    readonly poolId: PoolId;
    readonly createdBy: UserId;
    readonly expiresAt: number;
    readonly maxUses: number;
    readonly now: number;
  }): Promise<InviteRecord>;

  /** The pool's invites, revoked, expired and used-up ones included, oldest first. */
  listInvites(poolId: PoolId): Promise<InviteRecord[]>;

  /** Revokes an invite of the pool. Idempotent. `NOT_FOUND` if the pool has no such invite. */
  revokeInvite(poolId: PoolId, inviteId: InviteId, now: number): Promise<InviteRecord>;

  /**
   * Joins the user to the invite's pool. Atomic: the invite is checked (`NOT_FOUND`,
   * `REVOKED`, `EXPIRED`, `EXHAUSTED`), its use counted and the member added in one
   * transaction, so concurrent uses never exceed `maxUses`. A user who is already a member
   * gets their membership back and uses nothing.
   */
  useInvite(use: {
    readonly tokenHash: SecretHash;
    readonly userId: UserId;
    readonly now: number;
  }): Promise<InviteUse>;

  /** Releases the database (closes the file or the connection pool). */
  close(): Promise<void>;
}
