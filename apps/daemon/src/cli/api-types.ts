/**
 * The shapes of the daemon's local API as the CLI reads them (apps/daemon/API.md). The CLI
 * trusts the daemon on the same machine and does not re-validate its answers; these types
 * only say what it expects to find.
 */

export interface Status {
  deviceId: string | null;
  userId: string | null;
  displayName: string | null;
  deviceName: string | null;
  server: { url: string; connected: boolean };
  dataDir: string;
  pools: PoolStatus[];
}

export interface PoolStatus {
  id: string;
  name: string;
  /** Placed in the pool's topology right now. */
  joined: boolean;
  position: { path: number[]; slot: number } | null;
  links: Array<{ peer: string; transport: string; open: boolean }>;
}

export interface Account {
  userId: string;
  deviceId: string;
  displayName: string;
  deviceName: string;
}

export interface Device {
  id: string;
  name: string;
  type: string;
  createdAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
  current: boolean;
}

export interface DeviceCode {
  code: string;
  qrPayload: string;
  expiresAt: number;
}

export interface Pool {
  id: string;
  name: string;
  isHome: boolean;
  ownerId: string;
  role: 'owner' | 'member';
  members: number;
  online: number;
  unread: number;
}

export interface Invite {
  link: string;
  inviteId: string;
  expiresAt: number;
  maxUses: number;
}

export interface Member {
  userId: string;
  displayName: string;
  role: 'owner' | 'member';
  devices: Array<{ id: string; name: string; type: string; online: boolean }>;
}

export interface Message {
  id: string;
  pool: string;
  /** The device (node) id that wrote it. */
  author: string;
  userId: string;
  authorName: string | null;
  /** The sender's clock, ms. */
  createdAt: number;
  kind: string;
  text: string;
  mine: boolean;
}

export interface MessagePage {
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

/** One frame of `GET /v1/events`. */
/** A file offered in a pool (`GET /v1/files`). */
export interface FileView {
  id: string;
  pool: string;
  name: string;
  size: number;
  origin: string;
  seedersOnline: number;
  have: boolean;
  mine: boolean;
  downloading: boolean;
}

export interface DownloadEvent {
  type: 'download';
  pool: string;
  file: string;
  name: string;
  received: number;
  chunks: number;
  bytes: number;
  size: number;
  state: 'hashes' | 'data' | 'done' | 'failed';
  path?: string;
  error?: string;
}

export type DaemonEvent =
  | DownloadEvent
  | { type: 'offer'; pool: string; file: string; name: string; retracted: boolean }
  | { type: 'message'; message: Message }
  | { type: 'pool'; pool: string; joined: boolean }
  | { type: 'link'; pool: string; peer: string; up: boolean; transport: string }
  | { type: 'server'; connected: boolean };
