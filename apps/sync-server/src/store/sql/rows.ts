import { asNodeId, asPoolId, asUserId } from '@poolnet/protocol';
import type {
  AddDeviceCodeRecord,
  PendingChallengeRecord,
  CredentialRecord,
  DeviceRecord,
  DeviceType,
  InviteRecord,
  MemberRecord,
  MemberRole,
  PoolRecord,
  SessionRecord,
  UserRecord,
} from '../store.js';
import { asInviteId } from '../store.js';
import type { SqlRow } from './driver.js';

// Row to record. PostgreSQL returns BIGINT as a string and BYTEA as a Buffer, SQLite returns
// numbers and Buffers, so every column goes through one of these.

const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string => String(v);
const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Uint8Array);

export const toUser = (r: SqlRow): UserRecord => ({
  id: asUserId(str(r.id)),
  displayName: str(r.display_name),
  createdAt: num(r.created_at),
});

export const toCredential = (r: SqlRow): CredentialRecord => ({
  id: str(r.id),
  userId: asUserId(str(r.user_id)),
  publicKey: bytes(r.public_key),
  counter: num(r.counter),
  transports: JSON.parse(str(r.transports)) as string[],
  createdAt: num(r.created_at),
  lastUsedAt: optNum(r.last_used_at),
});

export const toDevice = (r: SqlRow): DeviceRecord => ({
  id: asNodeId(str(r.id)),
  userId: asUserId(str(r.user_id)),
  name: str(r.name),
  type: str(r.type) as DeviceType,
  createdAt: num(r.created_at),
  lastSeenAt: num(r.last_seen_at),
  revokedAt: optNum(r.revoked_at),
});

export const toSession = (r: SqlRow): SessionRecord => ({
  tokenHash: str(r.token_hash),
  userId: asUserId(str(r.user_id)),
  deviceId: asNodeId(str(r.device_id)),
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  revokedAt: optNum(r.revoked_at),
});

export const toChallenge = (r: SqlRow): PendingChallengeRecord => ({
  id: str(r.id),
  ceremony: str(r.ceremony),
  challenge: str(r.challenge),
  expiresAt: num(r.expires_at),
});

export const toAddDeviceCode = (r: SqlRow): AddDeviceCodeRecord => ({
  codeHash: str(r.code_hash),
  userId: asUserId(str(r.user_id)),
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  usedAt: optNum(r.used_at),
});

export const toPool = (r: SqlRow): PoolRecord => ({
  id: asPoolId(str(r.id)),
  name: str(r.name),
  ownerId: asUserId(str(r.owner_id)),
  isHome: num(r.is_home) === 1,
  settings: { maxTextBytes: num(r.max_text_bytes), maxFileBytes: num(r.max_file_bytes) },
  createdAt: num(r.created_at),
});

export const toMember = (r: SqlRow): MemberRecord => ({
  poolId: asPoolId(str(r.pool_id)),
  userId: asUserId(str(r.user_id)),
  role: str(r.role) as MemberRole,
  joinedAt: num(r.joined_at),
});

export const toInvite = (r: SqlRow): InviteRecord => ({
  id: asInviteId(str(r.id)),
  tokenHash: str(r.token_hash),
  poolId: asPoolId(str(r.pool_id)),
  createdBy: asUserId(str(r.created_by)),
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  maxUses: num(r.max_uses),
  uses: num(r.uses),
  revokedAt: optNum(r.revoked_at),
});
