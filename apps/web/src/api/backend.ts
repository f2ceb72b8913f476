/**
 * What the UI needs from a device. Two implementations:
 * - `DaemonBackend` (desktop): the daemon's local API over HTTP + its event WebSocket;
 * - `BrowserBackend` (browser node): an engine running in this page, its store in IndexedDB,
 *   its files in OPFS, signing in with the browser's own passkeys.
 * Shapes are the daemon's (apps/daemon/API.md); both implementations produce them.
 * Every method rejects with a `BackendError` (a stable code and a readable message).
 */
import type {
  Account,
  DaemonEvent,
  Device,
  DeviceCode,
  DownloadRecord,
  FileView,
  FolderFileResult,
  FolderView,
  Invite,
  Member,
  Message,
  MessagePage,
  Pool,
  Status,
} from '@poolnet/daemon/api-types';

export type {
  Account,
  DaemonEvent,
  Device,
  DeviceCode,
  DownloadRecord,
  FileView,
  FolderFileResult,
  FolderView,
  Invite,
  Member,
  Message,
  MessagePage,
  Pool,
  Status,
};

/** An invite as the owner's list shows it. */
export interface InviteView {
  id: string;
  link: string | null;
  expiresAt: number;
  maxUses: number;
  uses: number;
  revoked: boolean;
}

export interface Settings {
  displayName: string | null;
  deviceName: string | null;
  /** Desktop only: where downloads go. Null in the browser node (OPFS). */
  downloadsDir: string | null;
  /** Relay cache per pool, bytes (0: no relay cache). */
  cacheSizeBytes: number;
  /** Images up to this size are fetched on arrival (0: never). */
  autoFetchImagesBytes: number;
}

/** A pool's limits, set by its owner (`POST /v1/pools/settings`). */
export interface PoolSettings {
  /** Largest chat text a member may send, UTF-8 bytes. */
  maxTextBytes: number;
  /** Largest file a member may share, bytes. */
  maxFileBytes: number;
}

export interface MessageQuery {
  before?: string;
  after?: string;
  limit?: number;
}

export type Unsubscribe = () => void;

/** A file of a folder picked or dropped in the page. */
export interface FolderFile {
  readonly file: File;
  /** '/'-separated, the folder's own name first ("Trip/day 1/a.jpg"), as `webkitRelativePath`. */
  readonly path: string;
}

/**
 * Where a shared folder comes from. Desktop: a path on the daemon's computer, shared in place
 * (Syncthing-style). Browser: the files of one folder picked or dropped in the page.
 */
export type FolderSource = { readonly path: string } | { readonly files: readonly FolderFile[] };

/** A folder just offered, and what was left out of it and why. */
export interface SharedFolder {
  folder: FolderView;
  skipped: Array<{ path: string; reason: string }>;
}

export interface Backend {
  readonly mode: 'desktop' | 'browser';

  status(): Promise<Status>;
  /** Desktop: the daemon's built-in authenticator. Browser: a WebAuthn passkey of this browser. */
  register(displayName: string, deviceName: string): Promise<Account>;
  signIn(): Promise<Account>;
  signOut(): Promise<void>;

  devices(): Promise<Device[]>;
  /** A code (and QR payload) another device can use to join this account. */
  deviceCode(): Promise<DeviceCode>;
  /** Makes this device a device of the code's account. */
  linkDevice(code: string, deviceName: string): Promise<Account>;
  renameDevice(deviceId: string, name: string): Promise<Device>;
  revokeDevice(deviceId: string): Promise<Device>;

  settings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  pools(): Promise<Pool[]>;
  createPool(name: string): Promise<Pool>;
  renamePool(pool: string, name: string): Promise<Pool>;
  /** `link` is an invite URL (`…/join#TOKEN`) or the bare token. */
  joinPool(link: string): Promise<Pool>;
  leavePool(pool: string): Promise<void>;
  members(pool: string): Promise<Member[]>;
  removeMember(pool: string, userId: string): Promise<void>;
  /** Owner only: changes the pool's limits (fields left out stay); answers all of them. */
  updatePoolSettings(
    pool: string,
    change: Partial<PoolSettings>,
  ): Promise<{ id: string; name: string; settings: PoolSettings }>;
  createInvite(pool: string, options?: { expiresSeconds?: number; uses?: number }): Promise<Invite>;
  invites(pool: string): Promise<InviteView[]>;
  revokeInvite(pool: string, inviteId: string): Promise<void>;

  messages(pool: string, query?: MessageQuery): Promise<MessagePage>;
  send(pool: string, text: string): Promise<Message>;

  files(pool: string): Promise<{ files: FileView[]; folders: FolderView[] }>;
  folder(pool: string, folder: string): Promise<{ folder: FolderView; files: FileView[] }>;
  /** Offers files picked, pasted or dropped in the page (desktop: uploaded to the daemon first). */
  share(pool: string, files: File[]): Promise<FileView[]>;
  /**
   * Offers a whole folder as one folder offer (its files under one folder id, with their
   * relative paths). Each mode takes its own source; the other is `UNSUPPORTED`.
   */
  shareFolder(pool: string, source: FolderSource): Promise<SharedFolder>;
  download(pool: string, file: string): Promise<{ path: string; sha256: string }>;
  downloadFolder(
    pool: string,
    folder: string,
    mode: 'all' | 'missing',
  ): Promise<{ folder: FolderView; path: string; files: FolderFileResult[] }>;
  cancelDownload(pool: string, file: string): Promise<void>;
  retract(pool: string, file: string): Promise<void>;
  downloadHistory(pool?: string): Promise<DownloadRecord[]>;
  /** The bytes of a file this device holds (full image view, save to disk, copy image). */
  fileBlob(pool: string, file: string): Promise<Blob>;
  /** Desktop only: show a finished download in the system's file manager. */
  reveal?(path: string): Promise<void>;

  /** Live events; `connection` reports the event stream itself (daemon or page node). */
  subscribe(
    onEvent: (event: DaemonEvent) => void,
    onConnection?: (up: boolean) => void,
  ): Unsubscribe;
}

export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
