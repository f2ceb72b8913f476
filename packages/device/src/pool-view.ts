/**
 * A pool as the server's `GET /v1/pools` lists it, and as a device's API shows it: the same
 * view for the daemon's HTTP API and the browser node's backend.
 */

/** A pool's limits, set by its owner (`POST /v1/pools/settings`). */
export interface PoolSettings {
  /** Largest chat text a member may send, UTF-8 bytes. */
  maxTextBytes: number;
  /** Largest file a member may share, bytes. */
  maxFileBytes: number;
}

/** One entry of the server's pool list. */
export interface ServerPool {
  pool: { id: string; name: string; ownerId: string; isHome: boolean; settings?: unknown };
  online: number;
  members: Array<{
    member: { userId: string; role: 'owner' | 'member' };
    displayName: string;
    devices: Array<{ id: string; name: string; type: string; online: boolean }>;
  }>;
}

export interface PoolView {
  id: string;
  name: string;
  isHome: boolean;
  ownerId: string;
  role: 'owner' | 'member';
  members: number;
  online: number;
  unread: number;
  /** The pool's current limits; null when the server did not say (an older server). */
  settings: PoolSettings | null;
}

/** The view of `p` for the user `userId`, with this device's unread count. */
export function poolView(p: ServerPool, userId: string, unread: number): PoolView {
  return {
    id: p.pool.id,
    name: p.pool.name,
    isHome: p.pool.isHome,
    ownerId: p.pool.ownerId,
    role: p.members.find((m) => m.member.userId === userId)?.member.role ?? 'member',
    members: p.members.length,
    online: p.online,
    unread,
    settings: poolSettings(p.pool.settings),
  };
}

/** The limits in a server answer, or null unless both are positive whole numbers. */
export function poolSettings(value: unknown): PoolSettings | null {
  if (typeof value !== 'object' || value === null) return null;
  const { maxTextBytes, maxFileBytes } = value as Record<string, unknown>;
  const positive = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
  return positive(maxTextBytes) && positive(maxFileBytes) ? { maxTextBytes, maxFileBytes } : null;
}
