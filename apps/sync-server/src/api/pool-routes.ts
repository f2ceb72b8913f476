/**
 * The pool, member and invite API over the store. Ids travel in the JSON body because routes
 * match exact paths. Ownership is the store's rule for owner-only changes (another user's
 * pool reads as NOT_FOUND); the routes add the checks the store leaves to its caller.
 */
import { randomBytes } from 'node:crypto';
import {
  MAX_TEXT_BYTES,
  asPoolId,
  asUserId,
  idFromBytes,
  type PoolId,
  type UserId,
} from '@poolnet/protocol';
import { z } from 'zod';
import type { AuthService } from '../auth/auth-service.js';
import type { Clock, SignallingHub } from '../signalling/index.js';
import { hashSecret } from '../store/secret-hash.js';
import { type InviteRecord, type ServerStore, asInviteId } from '../store/store.js';
import type { Route } from '../http/route.js';
import { ApiError } from './api-errors.js';
import { apiRoute, fields, identityOf, parseBody } from './route-kit.js';

/** Defaults of a new shared pool; the owner may change them (`/v1/pools/settings`). */
export const DEFAULT_POOL_SETTINGS = { maxTextBytes: MAX_TEXT_BYTES, maxFileBytes: 2 ** 32 };
const MAX_FILE_BYTES = 2 ** 40;
const DAY_SECONDS = 86_400;

const settings = {
  maxTextBytes: z.number().int().positive().max(MAX_TEXT_BYTES),
  maxFileBytes: z.number().int().positive().max(MAX_FILE_BYTES),
};
const poolBody = z.object({ poolId: fields.id }).strict();
const createBody = z
  .object({ name: fields.name, settings: z.object(settings).strict().optional() })
  .strict();
const renameBody = z.object({ poolId: fields.id, name: fields.name }).strict();
const settingsBody = z
  .object({
    poolId: fields.id,
    maxTextBytes: settings.maxTextBytes.optional(),
    maxFileBytes: settings.maxFileBytes.optional(),
  })
  .strict();
const removeMemberBody = z.object({ poolId: fields.id, userId: fields.id }).strict();
const inviteBody = z
  .object({
    poolId: fields.id,
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * DAY_SECONDS)
      .default(7 * DAY_SECONDS),
    maxUses: z.number().int().min(1).max(1000).default(1),
  })
  .strict();
const revokeInviteBody = z.object({ poolId: fields.id, inviteId: fields.id }).strict();
const joinBody = z.object({ token: z.string().min(1).max(200) }).strict();

/** Random ids that never start with '-' (command lines would read them as options). */
const randomId = (bytes: number) => idFromBytes(randomBytes(bytes));

/** An invite as its pool's members see it: never the token or its hash. */
const inviteView = ({ tokenHash: _tokenHash, ...invite }: InviteRecord) => invite;

/** The devices online in each pool (a pool nobody is in may be absent). */
export type OnlineDevices = (
  poolIds: readonly PoolId[],
) => Promise<ReadonlyMap<PoolId, readonly string[]>>;

export function poolRoutes(
  auth: AuthService,
  store: ServerStore,
  clock: Clock,
  hub: Pick<SignallingHub, 'disconnect'> & { onlineDevices: OnlineDevices },
): Route[] {
  /** NOT_FOUND unless the user is a member, FORBIDDEN unless also `owner` when asked. */
  const requireMember = async (poolId: PoolId, userId: UserId, owner = false) => {
    const member = await store.getMembership(poolId, userId);
    if (member === undefined) throw new ApiError('NOT_FOUND', 'no such pool');
    if (owner && member.role !== 'owner') {
      throw new ApiError('FORBIDDEN', 'only the pool owner may do this');
    }
    return member;
  };

  return [
    apiRoute('GET', '/v1/pools', async (request) => {
      const { userId } = await identityOf(auth, request);
      const pools = await store.listPoolsOfUser(userId);
      // Who is online: the devices placed in the pool's live topology right now (on the
      // instance that serves it, in a cluster).
      const online = await hub.onlineDevices(pools.map(({ pool }) => pool.id));
      return {
        pools: pools.map(({ pool, members }) => {
          const live = new Set<string>(online.get(pool.id) ?? []);
          return {
            pool,
            online: live.size,
            members: members.map((m) => ({
              ...m,
              devices: m.devices.map((d) => ({ ...d, online: live.has(d.id) })),
            })),
          };
        }),
      };
    }),
    apiRoute('POST', '/v1/pools/create', async (request) => {
      const { userId } = await identityOf(auth, request);
      const body = parseBody(createBody, request.body);
      const pool = await store.createPool({
        id: asPoolId(randomId(16)),
        name: body.name,
        ownerId: userId,
        settings: body.settings ?? DEFAULT_POOL_SETTINGS,
        now: clock.now(),
      });
      return { pool };
    }),
    apiRoute('POST', '/v1/pools/rename', async (request) => {
      const { userId } = await identityOf(auth, request);
      const { poolId, name } = parseBody(renameBody, request.body);
      return { pool: await store.renamePool(userId, asPoolId(poolId), name) };
    }),
    apiRoute('POST', '/v1/pools/delete', async (request) => {
      const { userId } = await identityOf(auth, request);
      const { poolId } = parseBody(poolBody, request.body);
      await store.deletePool(userId, asPoolId(poolId));
      hub.disconnect({ poolId: asPoolId(poolId) }, 'the pool was deleted');
      return { ok: true };
    }),
    apiRoute('POST', '/v1/pools/settings', async (request) => {
      const { userId } = await identityOf(auth, request);
      const { poolId, ...change } = parseBody(settingsBody, request.body);
      const pool = await store.updatePoolSettings(userId, asPoolId(poolId), {
        ...(change.maxTextBytes === undefined ? {} : { maxTextBytes: change.maxTextBytes }),
        ...(change.maxFileBytes === undefined ? {} : { maxFileBytes: change.maxFileBytes }),
      });
      return { pool };
    }),
    apiRoute('POST', '/v1/pools/leave', async (request) => {
      const { userId } = await identityOf(auth, request);
      const { poolId } = parseBody(poolBody, request.body);
      // The owner cannot leave (CONFLICT from the store): they delete the pool instead.
      await store.removeMember(asPoolId(poolId), userId);
      hub.disconnect({ poolId: asPoolId(poolId), userId }, 'you left the pool');
      return { ok: true };
    }),
    apiRoute('POST', '/v1/pools/remove-member', async (request) => {
      const { userId } = await identityOf(auth, request);
      const body = parseBody(removeMemberBody, request.body);
      const poolId = asPoolId(body.poolId);
      await requireMember(poolId, userId, true);
      await store.removeMember(poolId, asUserId(body.userId));
      hub.disconnect({ poolId, userId: asUserId(body.userId) }, 'removed from the pool');
      return { ok: true };
    }),

    apiRoute('POST', '/v1/invites/create', async (request) => {
      const { userId } = await identityOf(auth, request);
      const body = parseBody(inviteBody, request.body);
      const token = randomId(32);
      const invite = await store.createInvite({
        id: asInviteId(randomId(12)),
        tokenHash: hashSecret(token),
        poolId: asPoolId(body.poolId),
        createdBy: userId,
        expiresAt: clock.now() + body.ttlSeconds * 1000,
        maxUses: body.maxUses,
        now: clock.now(),
      });
      // The token is shown once, here; the store keeps only its hash.
      return { invite: inviteView(invite), token };
    }),
    apiRoute('POST', '/v1/invites/list', async (request) => {
      const { userId } = await identityOf(auth, request);
      const { poolId } = parseBody(poolBody, request.body);
      await requireMember(asPoolId(poolId), userId);
      return { invites: (await store.listInvites(asPoolId(poolId))).map(inviteView) };
    }),
    apiRoute('POST', '/v1/invites/revoke', async (request) => {
      const { userId } = await identityOf(auth, request);
      const body = parseBody(revokeInviteBody, request.body);
      const poolId = asPoolId(body.poolId);
      const member = await requireMember(poolId, userId);
      const invites = await store.listInvites(poolId);
      const invite = invites.find((i) => i.id === body.inviteId);
      if (invite === undefined) throw new ApiError('NOT_FOUND', 'no such invite');
      if (member.role !== 'owner' && invite.createdBy !== userId) {
        throw new ApiError('FORBIDDEN', 'only the owner or the invite creator may revoke it');
      }
      return { invite: inviteView(await store.revokeInvite(poolId, invite.id, clock.now())) };
    }),
    apiRoute(
      'POST',
      '/v1/invites/join',
      async (request) => {
        const { userId } = await identityOf(auth, request);
        const { token } = parseBody(joinBody, request.body);
        const use = await store.useInvite({
          tokenHash: hashSecret(token),
          userId,
          now: clock.now(),
        });
        return { pool: use.pool, member: use.member, joined: use.joined };
      },
      'join',
    ),
  ];
}
