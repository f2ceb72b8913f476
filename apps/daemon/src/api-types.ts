/**
 * The shapes of the daemon's local API (apps/daemon/API.md), as the CLI and the web UI
 * (apps/web, which also produces them from its in-page node) read them. Clients trust the
 * daemon on the same machine and do not re-validate its answers; these types only say what
 * they expect to find. Type-only: no runtime code, so a page can import it.
 */

import type {
  DownloadEvent,
  DownloadRecord,
  FileEvent,
  FileView,
  FolderView,
  PoolSettings,
  PoolView,
} from '@poolnet/device';

/** Files, folders, downloads and their events: the shapes `@poolnet/device` builds for both. */
export type { DownloadEvent, DownloadRecord, FileEvent, FileView, FolderView };

/** A pool as the device lists it, with its current limits (`@poolnet/device`'s view). */
export type Pool = PoolView;
export type { PoolSettings };

export interface Status {
  deviceId: string | null;
  userId: string | null;
  displayName: string | null;
  deviceName: string | null;
  server: { url: string; connected: boolean };
  dataDir: string;
  /** What the device learnt about its network at start (issue 8); null until checked. */
  nat?: NatStatus | null;
  pools: PoolStatus[];
}

export interface NatStatus {
  /** none: a public address; cone: direct links work; symmetric: peers behind NATs need TURN. */
  type: 'none' | 'cone' | 'symmetric' | 'blocked' | 'unknown';
  /** The address the STUN responder saw, `ip:port`, or null. */
  publicAddress: string | null;
  /** False when other devices can reach this one only through a TURN relay. */
  directReachable: boolean;
  /** One readable sentence for people. */
  message: string;
  checkedAt: number;
}

export interface PoolStatus {
  id: string;
  name: string;
  /** Placed in the pool's topology right now. */
  joined: boolean;
  position: { path: number[]; slot: number } | null;
  /** `relayed`: the link goes through a TURN relay (WebRTC only). */
  links: Array<{ peer: string; transport: string; open: boolean; relayed?: boolean }>;
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
  /** fileOffer, mediaOffer, retractOffer: the file ids it names. */
  files?: string[];
}

export interface MessagePage {
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

/** One file of a folder download (`POST /v1/files/download-folder`). */
export interface FolderFileResult {
  id: string;
  name: string;
  relativePath: string;
  outcome: 'fetched' | 'copied' | 'kept' | 'failed';
  path: string | null;
  sha256: string | null;
  error: string | null;
}

/** One frame of `GET /v1/events`. */
export type DaemonEvent =
  | FileEvent
  | { type: 'message'; message: Message }
  | { type: 'pool'; pool: string; joined: boolean }
  | {
      type: 'link';
      pool: string;
      peer: string;
      up: boolean;
      transport: string;
      /** A TURN relay carries it (WebRTC only); an up event is sent again once it is known. */
      relayed?: boolean;
    }
  | { type: 'server'; connected: boolean };
