/**
 * The browser node: the `Backend` the UI uses, with the engine running in this page. The
 * account is a passkey of this browser; pools, invites and members come from the sync
 * server's API; each joined pool runs a `PoolRuntime` (signalling over the page's WebSocket,
 * links over `RTCPeerConnection`, messages in IndexedDB, files in OPFS). Shapes and events
 * are the daemon's (apps/daemon/API.md), so the UI cannot tell the two apart.
 */
import {
  MAX_TEXT_BYTES,
  type PoolId,
  asMessageId,
  asPoolId,
  utf8ByteLength,
} from '@poolnet/protocol';
import { IndexedDbMessageStore, type RecordStore } from '@poolnet/store-browser';
import type { IceServerSpec } from '@poolnet/transport-webrtc';
import { type ServerPool, poolView } from '@poolnet/device';
import {
  type Account,
  type Backend,
  BackendError,
  type DaemonEvent,
  type Device,
  type DeviceCode,
  type DownloadRecord,
  type FileView,
  type FolderFileResult,
  type FolderSource,
  type FolderView,
  type Invite,
  type InviteView,
  type Member,
  type Message,
  type MessagePage,
  type MessageQuery,
  type Pool,
  type PoolSettings,
  type Settings,
  type SharedFolder,
  type Status,
  type Unsubscribe,
} from '../api/backend.js';
import type { BrowserAccount } from './account.js';
import { type NatStatus, checkNatInPage } from './nat-check.js';
import { BrowserPoolFiles } from './pool-files.js';
import { PoolRuntime } from './pool-runtime.js';
import type { Json } from './server-api.js';

const SETTINGS = 'settings';
const HISTORY = 'downloads';
const UNREAD = 'unread';
const MAX_HISTORY = 2000;
const MAX_PAGE = 500;
const DEFAULT_SETTINGS: Settings = {
  displayName: null,
  deviceName: null,
  downloadsDir: null,
  cacheSizeBytes: 32 * 1024 * 1024,
  // As the daemon: images others offer up to 16 MiB come on their own.
  autoFetchImagesBytes: 16 * 1024 * 1024,
};

export class BrowserBackend implements Backend {
  readonly mode = 'browser' as const;
  private readonly runtimes = new Map<string, PoolRuntime>();
  private readonly poolFiles = new Map<string, BrowserPoolFiles>();
  private serverPools = new Map<string, ServerPool>();
  private readonly names = new Map<string, string>();
  private readonly listeners = new Set<(event: DaemonEvent) => void>();
  private iceServers: IceServerSpec[] | undefined;
  /** This page's NAT check (ADR 0010), once the ICE list is known; null until it ends. */
  private nat: NatStatus | null = null;
  private natCheck: Promise<void> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRead: Promise<void> = Promise.resolve();
  private queuedRead: Promise<void> | undefined;
  private lastConnected = false;
  private history: DownloadRecord[] = [];
  private settingsValue: Settings = DEFAULT_SETTINGS;
  /** Texts from others not read yet, per pool. */
  private unread = new Map<string, number>();

  constructor(
    private readonly account: BrowserAccount,
    private readonly db: IDBDatabase,
    private readonly records: RecordStore,
  ) {}

  /** Reads what IndexedDB holds and, with an account, starts following the server. */
  async start(): Promise<void> {
    this.history = (await this.records.get<DownloadRecord[]>(HISTORY)) ?? [];
    this.unread = new Map(
      Object.entries((await this.records.get<Record<string, number>>(UNREAD)) ?? {}),
    );
    this.settingsValue = {
      ...DEFAULT_SETTINGS,
      ...((await this.records.get<Settings>(SETTINGS)) ?? {}),
    };
    if (this.account.current?.refreshToken) this.scheduleRefresh(0);
  }

  // ---- status and account

  async status(): Promise<Status> {
    // Signed out: the UI offers sign-in (the record stays for it).
    const account = this.account.signedIn ? this.account.current : undefined;
    return {
      deviceId: account?.deviceId ?? null,
      userId: account?.userId ?? null,
      displayName: account?.displayName ?? null,
      deviceName: account?.deviceName ?? null,
      server: { url: this.account.serverUrl, connected: this.connected() },
      dataDir: 'browser (IndexedDB + OPFS)',
      nat: this.nat,
      pools: [...this.runtimes.values()].map((runtime) => ({
        id: runtime.poolId,
        name: this.serverPools.get(runtime.poolId)?.pool.name ?? runtime.poolId,
        joined: runtime.placed,
        position: runtime.position,
        links: runtime.links(),
      })),
    };
  }

  async register(displayName: string, deviceName: string): Promise<Account> {
    const record = await this.account.register(
      text(displayName, 'display name'),
      text(deviceName, 'device name'),
    );
    await this.refreshPools();
    return this.accountView(record);
  }

  async signIn(): Promise<Account> {
    const record = await this.account.signIn();
    await this.refreshPools();
    return this.accountView(record);
  }

  async signOut(): Promise<void> {
    await this.account.signOut();
    clearTimeout(this.refreshTimer);
    for (const poolId of [...this.runtimes.keys()]) this.stopPool(poolId);
    this.serverState();
  }

  async devices(): Promise<Device[]> {
    const me = this.account.require();
    const { devices } = await this.account.api.authed('GET', '/v1/devices');
    return (devices as Json[]).map((d) => ({
      id: d.id,
      name: d.name,
      type: d.type,
      createdAt: d.createdAt,
      lastSeenAt: d.lastSeenAt,
      revokedAt: d.revokedAt,
      current: d.id === me.deviceId,
    }));
  }

  async deviceCode(): Promise<DeviceCode> {
    this.account.require();
    const { code, qrPayload, expiresAt } = await this.account.api.authed(
      'POST',
      '/v1/devices/code',
    );
    return { code, qrPayload, expiresAt };
  }

  async linkDevice(code: string, deviceName: string): Promise<Account> {
    const record = await this.account.link(text(code, 'code'), text(deviceName, 'device name'));
    await this.refreshPools();
    return this.accountView(record);
  }

  async renameDevice(deviceId: string, name: string): Promise<Device> {
    const me = this.account.require();
    const { device } = await this.account.api.authed('POST', '/v1/devices/rename', {
      deviceId: text(deviceId, 'deviceId'),
      name: text(name, 'name'),
    });
    if (deviceId === me.deviceId) await this.account.update({ deviceName: name });
    return { ...device, current: device.id === me.deviceId };
  }

  async revokeDevice(deviceId: string): Promise<Device> {
    const me = this.account.require();
    const { device } = await this.account.api.authed('POST', '/v1/devices/revoke', {
      deviceId: text(deviceId, 'deviceId'),
    });
    return { ...device, current: device.id === me.deviceId };
  }

  async settings(): Promise<Settings> {
    const account = this.account.current;
    return {
      ...this.settingsValue,
      displayName: account?.displayName ?? null,
      deviceName: account?.deviceName ?? null,
      downloadsDir: null,
    };
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.cacheSizeBytes !== undefined) {
      this.settingsValue.cacheSizeBytes = count(patch.cacheSizeBytes, 'cacheSizeBytes');
      for (const files of this.poolFiles.values())
        files.cache.resize(this.settingsValue.cacheSizeBytes);
    }
    if (patch.autoFetchImagesBytes !== undefined) {
      this.settingsValue.autoFetchImagesBytes = count(
        patch.autoFetchImagesBytes,
        'autoFetchImagesBytes',
      );
    }
    if (patch.deviceName !== undefined && patch.deviceName !== null) {
      const me = this.account.require();
      await this.renameDevice(me.deviceId, patch.deviceName);
    }
    if (patch.displayName !== undefined && patch.displayName !== null) {
      // The server keeps display names per user; this page keeps its own copy for the status.
      const displayName = text(patch.displayName, 'displayName').trim();
      await this.account.api.authed('POST', '/v1/account/rename', { displayName });
      await this.account.update({ displayName });
    }
    await this.records.put(SETTINGS, this.settingsValue);
    return this.settings();
  }

  // ---- pools

  async pools(): Promise<Pool[]> {
    this.account.require();
    await this.refreshPools();
    return [...this.serverPools.values()].map((p) => this.poolView(p));
  }

  async createPool(name: string): Promise<Pool> {
    this.account.require();
    const { pool } = await this.account.api.authed('POST', '/v1/pools/create', {
      name: text(name, 'name'),
    });
    await this.refreshPools();
    return this.poolView(this.requireServerPool(pool.id));
  }

  async renamePool(pool: string, name: string): Promise<Pool> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/rename', { poolId, name: text(name, 'name') });
    await this.refreshPools();
    return this.poolView(this.requireServerPool(poolId));
  }

  async joinPool(link: string): Promise<Pool> {
    this.account.require();
    const token = inviteToken(text(link, 'link'));
    const { pool } = await this.account.api.authed('POST', '/v1/invites/join', { token });
    await this.refreshPools();
    return this.poolView(this.requireServerPool(pool.id));
  }

  async leavePool(pool: string): Promise<void> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/leave', { poolId });
    this.stopPool(poolId);
    this.serverPools.delete(poolId);
    this.emit({ type: 'pool', pool: poolId, joined: false });
  }

  async members(pool: string): Promise<Member[]> {
    const poolId = this.resolvePool(pool);
    await this.refreshPools();
    return this.requireServerPool(poolId).members.map((m) => ({
      userId: m.member.userId,
      displayName: m.displayName,
      role: m.member.role,
      devices: m.devices.map((d) => ({ id: d.id, name: d.name, type: d.type, online: d.online })),
    }));
  }

  async removeMember(pool: string, userId: string): Promise<void> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/remove-member', {
      poolId,
      userId: text(userId, 'userId'),
    });
    await this.refreshPools();
  }

  /** Owner only (the server's store refuses anyone else). */
  async updatePoolSettings(
    pool: string,
    change: Partial<PoolSettings>,
  ): Promise<{ id: string; name: string; settings: PoolSettings }> {
    const poolId = this.resolvePool(pool);
    const body: Record<string, number> = {};
    if (change.maxTextBytes !== undefined)
      body.maxTextBytes = int(change.maxTextBytes, 'maxTextBytes', 1);
    if (change.maxFileBytes !== undefined)
      body.maxFileBytes = int(change.maxFileBytes, 'maxFileBytes', 1);
    const { pool: updated } = await this.account.api.authed('POST', '/v1/pools/settings', {
      poolId,
      ...body,
    });
    const p = updated as { id: string; name: string; settings: PoolSettings };
    return { id: p.id, name: p.name, settings: p.settings };
  }

  async createInvite(
    pool: string,
    options: { expiresSeconds?: number; uses?: number } = {},
  ): Promise<Invite> {
    const poolId = this.resolvePool(pool);
    const ttl =
      options.expiresSeconds === undefined
        ? 7 * 86_400
        : int(options.expiresSeconds, 'expiresSeconds', 60);
    const maxUses = options.uses === undefined ? 1 : int(options.uses, 'uses', 1);
    const { invite, token } = await this.account.api.authed('POST', '/v1/invites/create', {
      poolId,
      ttlSeconds: ttl,
      maxUses,
    });
    return {
      link: `${this.account.serverUrl}/join#${token as string}`,
      inviteId: invite.id,
      expiresAt: invite.expiresAt,
      maxUses: invite.maxUses,
    };
  }

  async invites(pool: string): Promise<InviteView[]> {
    const poolId = this.resolvePool(pool);
    const { invites } = await this.account.api.authed('POST', '/v1/invites/list', { poolId });
    // The token is shown once, when made: the list has no links.
    return (invites as Json[]).map((i) => ({
      id: i.id,
      link: null,
      expiresAt: i.expiresAt,
      maxUses: i.maxUses,
      uses: i.uses,
      revoked: i.revokedAt !== null && i.revokedAt !== undefined,
    }));
  }

  async revokeInvite(pool: string, inviteId: string): Promise<void> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/invites/revoke', {
      poolId,
      inviteId: text(inviteId, 'inviteId'),
    });
  }

  // ---- messages

  async messages(pool: string, query: MessageQuery = {}): Promise<MessagePage> {
    const poolId = this.resolvePool(pool);
    const limit = query.limit ?? 50;
    int(limit, 'limit', 1);
    if (limit > MAX_PAGE)
      throw new BackendError('BAD_REQUEST', `limit is at most ${MAX_PAGE}`, 400);
    if (query.before !== undefined && query.after !== undefined) {
      throw new BackendError('BAD_REQUEST', 'give before or after, not both', 400);
    }
    const runtime = this.runtime(poolId);
    for (const cursor of [query.before, query.after]) {
      if (cursor !== undefined && !(await runtime.has(asMessageId(cursor)))) {
        throw new BackendError('NOT_FOUND', `no message ${cursor} in this pool`, 404);
      }
    }
    const page = await runtime.page({
      limit,
      ...(query.before === undefined ? {} : { before: asMessageId(query.before) }),
      ...(query.after === undefined ? {} : { after: asMessageId(query.after) }),
    });
    // The newest page was read: nothing is unread any more (as the daemon counts it).
    if (!page.hasNewer) this.markRead(poolId);
    return page;
  }

  async send(pool: string, body: string): Promise<Message> {
    const poolId = this.resolvePool(pool);
    const message = text(body, 'text');
    if (utf8ByteLength(message) > MAX_TEXT_BYTES) {
      throw new BackendError('BAD_REQUEST', `text is longer than ${MAX_TEXT_BYTES} bytes`, 400);
    }
    const sent = await this.runtime(poolId).sendText(message);
    this.markRead(poolId);
    return sent;
  }

  // ---- files

  async files(pool: string): Promise<{ files: FileView[]; folders: FolderView[] }> {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).list(this.online(poolId));
  }

  async folder(pool: string, folder: string): Promise<{ folder: FolderView; files: FileView[] }> {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).folder(text(folder, 'folder'), this.online(poolId));
  }

  async share(pool: string, files: File[]): Promise<FileView[]> {
    const poolId = this.resolvePool(pool);
    if (!Array.isArray(files) || files.length === 0) {
      throw new BackendError('BAD_REQUEST', 'pick at least one file', 400);
    }
    return this.filesOf(poolId).share(files);
  }

  async shareFolder(pool: string, source: FolderSource): Promise<SharedFolder> {
    const poolId = this.resolvePool(pool);
    if (!('files' in source)) {
      throw new BackendError(
        'UNSUPPORTED',
        'a page cannot open a folder by its path: pick it',
        400,
      );
    }
    return this.filesOf(poolId).shareFolder(source.files);
  }

  download(pool: string, file: string): Promise<{ path: string; sha256: string }> {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).download(text(file, 'file'));
  }

  async downloadFolder(
    pool: string,
    folder: string,
    mode: 'all' | 'missing',
  ): Promise<{ folder: FolderView; path: string; files: FolderFileResult[] }> {
    const poolId = this.resolvePool(pool);
    if (mode !== 'all' && mode !== 'missing') {
      throw new BackendError('BAD_REQUEST', 'mode must be "all" or "missing"', 400);
    }
    const files = this.filesOf(poolId);
    const listed = files.folder(text(folder, 'folder'), this.online(poolId));
    const results: FolderFileResult[] = [];
    for (const file of listed.files) {
      if (file.have) {
        results.push({
          id: file.id,
          name: file.name,
          relativePath: file.relativePath,
          outcome: 'kept',
          path: `opfs:${file.name}`,
          sha256: null,
          error: null,
        });
        continue;
      }
      try {
        const got = await files.download(file.id);
        results.push({
          id: file.id,
          name: file.name,
          relativePath: file.relativePath,
          outcome: 'fetched',
          path: got.path,
          sha256: got.sha256,
          error: null,
        });
      } catch (err) {
        results.push({
          id: file.id,
          name: file.name,
          relativePath: file.relativePath,
          outcome: 'failed',
          path: null,
          sha256: null,
          error: messageOf(err),
        });
      }
    }
    return {
      folder: files.folder(listed.folder.id, this.online(poolId)).folder,
      path: `opfs:${listed.folder.name}`,
      files: results,
    };
  }

  async cancelDownload(pool: string, file: string): Promise<void> {
    const poolId = this.resolvePool(pool);
    await this.filesOf(poolId).cancel(text(file, 'file'));
  }

  async retract(pool: string, file: string): Promise<void> {
    const poolId = this.resolvePool(pool);
    await this.filesOf(poolId).retract(text(file, 'file'));
  }

  async downloadHistory(pool?: string): Promise<DownloadRecord[]> {
    const poolId = pool === undefined ? undefined : this.resolvePool(pool);
    return this.history.filter((r) => poolId === undefined || r.pool === poolId).slice(0, 50);
  }

  async fileBlob(pool: string, file: string): Promise<Blob> {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).blob(text(file, 'file'));
  }

  subscribe(
    onEvent: (event: DaemonEvent) => void,
    onConnection?: (up: boolean) => void,
  ): Unsubscribe {
    this.listeners.add(onEvent);
    // The node is in this page: its event stream is up as long as the page is.
    onConnection?.(true);
    return () => this.listeners.delete(onEvent);
  }

  // ---- following the server

  /**
   * Reads the pool list and starts or stops pool runtimes to match it. Reads run one at a
   * time; a caller never shares a read that started before its call (it may have just joined
   * or created a pool the older read cannot see), only one still waiting to start.
   */
  refreshPools(): Promise<void> {
    if (this.queuedRead) return this.queuedRead;
    const read = this.lastRead
      .catch(() => undefined)
      .then(() => {
        this.queuedRead = undefined;
        return this.readPools();
      });
    this.queuedRead = read;
    this.lastRead = read;
    return read;
  }

  private async readPools(): Promise<void> {
    const me = this.account.require();
    const { pools } = (await this.account.api.authed('GET', '/v1/pools')) as {
      pools: ServerPool[];
    };
    this.log(`pool list: ${pools.map((p) => `${p.pool.name} ${p.online} online`).join(', ')}`);
    await this.account.ensureSigningKey();
    if (this.iceServers === undefined) {
      try {
        const ice = await this.account.api.authed('GET', '/v1/ice');
        this.iceServers = Array.isArray(ice.iceServers) ? (ice.iceServers as IceServerSpec[]) : [];
      } catch (err) {
        this.log(`no ICE configuration from the server: ${messageOf(err)}`);
      }
      if (this.iceServers !== undefined) this.startNatCheck(this.iceServers);
    }
    this.serverPools = new Map(pools.map((p) => [p.pool.id, p]));
    for (const p of pools) {
      for (const m of p.members) this.names.set(m.member.userId, m.displayName);
      const mine = p.members.find((m) => m.member.userId === me.userId);
      if (mine && this.account.current?.displayName !== mine.displayName) {
        await this.account.update({ displayName: mine.displayName });
      }
      if (!this.runtimes.has(p.pool.id)) await this.startPool(asPoolId(p.pool.id));
    }
    for (const poolId of [...this.runtimes.keys()]) {
      if (!this.serverPools.has(poolId)) {
        this.stopPool(poolId);
        this.emit({ type: 'pool', pool: poolId, joined: false });
      }
    }
  }

  /** Once per page, in the background: the status shows it when it ends (~0.1–5 s). */
  private startNatCheck(iceServers: readonly IceServerSpec[]): void {
    if (this.natCheck !== undefined) return;
    this.natCheck = checkNatInPage(iceServers).then((nat) => {
      this.nat = nat;
      this.log(`NAT check: ${nat.message}`);
    });
  }

  private async startPool(poolId: PoolId): Promise<void> {
    const me = this.account.require();
    const log = new IndexedDbMessageStore(this.db, poolId);
    const files = new BrowserPoolFiles({
      poolId,
      selfId: me.deviceId,
      records: this.records,
      cacheBytes: this.settingsValue.cacheSizeBytes,
      autoFetchImageBytes: () => this.settingsValue.autoFetchImagesBytes,
      onEvent: (event) => this.emit(event),
      onDownloadEnded: (record) => void this.record(record),
      log: (line) => this.log(`[${poolId}] ${line}`),
    });
    const runtime = new PoolRuntime({
      poolId,
      api: this.account.api,
      log,
      files,
      device: { deviceId: me.deviceId, userId: me.userId, name: me.deviceName },
      signingKey: this.account.signingKey,
      iceServers: this.iceServers ?? [],
      displayName: (userId) => this.names.get(userId) ?? null,
      onMembers: (userIds) => {
        if (userIds.some((id) => !this.names.has(id))) this.scheduleRefresh(200);
      },
      ensureSigningKey: () => this.account.ensureSigningKey(),
      onMessage: (message) => {
        if (!message.mine && message.kind === 'text') this.countUnread(poolId, 1);
        this.emit({ type: 'message', message });
      },
      onPlaced: (placed) => {
        this.log(`[${poolId}] ${placed ? 'placed in the topology' : 'out of the topology'}`);
        this.emit({ type: 'pool', pool: poolId, joined: placed });
        this.serverState();
      },
      onLink: (peer, up, transport) =>
        this.emit({ type: 'link', pool: poolId, peer, up, transport }),
      onGone: (reason) => {
        this.log(`access to ${poolId} ended: ${reason}`);
        this.stopPool(poolId);
        this.serverPools.delete(poolId);
        this.emit({ type: 'pool', pool: poolId, joined: false });
      },
      logLine: (line) => this.log(line),
    });
    this.runtimes.set(poolId, runtime);
    this.poolFiles.set(poolId, files);
    try {
      await files.load(log);
    } catch (err) {
      this.log(`[${poolId}] cannot load its files: ${messageOf(err)}`);
    }
    if (this.runtimes.get(poolId) === runtime) runtime.start();
  }

  private stopPool(poolId: string): void {
    this.runtimes.get(poolId)?.stop();
    this.runtimes.delete(poolId);
    this.poolFiles.get(poolId)?.close();
    this.poolFiles.delete(poolId);
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (!this.account.current) return;
      this.refreshPools().then(
        () => this.scheduleRefresh(30_000),
        (err: unknown) => {
          this.log(`cannot read the pool list: ${messageOf(err)}`);
          this.scheduleRefresh(5_000);
        },
      );
    }, delayMs);
  }

  // ---- helpers

  private markRead(poolId: string): void {
    if ((this.unread.get(poolId) ?? 0) > 0) this.countUnread(poolId, 0);
  }

  /** Adds `n` to a pool's unread count (0: sets it to none) and keeps the counts. */
  private countUnread(poolId: string, n: number): void {
    this.unread.set(poolId, n === 0 ? 0 : (this.unread.get(poolId) ?? 0) + n);
    this.records.put(UNREAD, Object.fromEntries(this.unread)).catch((err: unknown) => {
      this.log(`cannot keep the unread counts: ${messageOf(err)}`);
    });
  }

  private async record(record: DownloadRecord): Promise<void> {
    this.history = [record, ...this.history].slice(0, MAX_HISTORY);
    try {
      await this.records.put(HISTORY, this.history);
    } catch (err) {
      this.log(`cannot keep the download history: ${messageOf(err)}`);
    }
  }

  private online(poolId: string): Set<string> {
    return new Set(
      this.runtimes
        .get(poolId)
        ?.signalling.members()
        .map((m) => m.nodeId),
    );
  }

  private filesOf(poolId: string): BrowserPoolFiles {
    const files = this.poolFiles.get(poolId);
    if (!files) throw new BackendError('NOT_JOINED', 'this device is not in that pool', 409);
    return files;
  }

  private runtime(poolId: string): PoolRuntime {
    const runtime = this.runtimes.get(poolId);
    if (!runtime) throw new BackendError('NOT_JOINED', 'this device is not in that pool', 409);
    return runtime;
  }

  private connected(): boolean {
    return [...this.runtimes.values()].some((r) => r.placed);
  }

  private serverState(): void {
    const connected = this.connected();
    if (connected === this.lastConnected) return;
    this.lastConnected = connected;
    this.emit({ type: 'server', connected });
  }

  /** A pool id or a unique (case-insensitive) pool name. */
  private resolvePool(ref: string): PoolId {
    this.account.require();
    const wanted = text(ref, 'pool');
    if (this.serverPools.has(wanted) || this.runtimes.has(wanted)) return asPoolId(wanted);
    const lower = wanted.toLowerCase();
    const named = [...this.serverPools.values()].filter((p) => p.pool.name.toLowerCase() === lower);
    if (named.length === 1 && named[0]) return asPoolId(named[0].pool.id);
    throw new BackendError(
      'UNKNOWN_POOL',
      named.length > 1 ? `several pools are called ${wanted}` : `no pool ${wanted}`,
      404,
    );
  }

  private requireServerPool(id: string): ServerPool {
    const pool = this.serverPools.get(id);
    if (!pool) throw new BackendError('UNKNOWN_POOL', `no pool ${id}`, 404);
    return pool;
  }

  private poolView(p: ServerPool): Pool {
    return poolView(p, this.account.require().userId, this.unread.get(p.pool.id) ?? 0);
  }

  private accountView(record: {
    userId: string;
    deviceId: string;
    displayName: string | null;
    deviceName: string;
  }): Account {
    return {
      userId: record.userId,
      deviceId: record.deviceId,
      displayName: this.account.current?.displayName ?? record.displayName ?? '',
      deviceName: record.deviceName,
    };
  }

  private emit(event: DaemonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log(`event listener failed: ${messageOf(err)}`);
      }
    }
  }

  private log(line: string): void {
    console.debug(`[poolnet] ${line}`);
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BackendError('BAD_REQUEST', `${field} must be a non-empty string`, 400);
  }
  return value;
}

function int(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new BackendError('BAD_REQUEST', `${field} must be an integer ≥ ${min}`, 400);
  }
  return value;
}

const count = (value: unknown, field: string): number => int(value, field, 0);

/** The invite token from a link (`…/join#TOKEN`, `…/join/TOKEN`) or a bare token. */
export function inviteToken(link: string): string {
  const trimmed = link.trim();
  const hash = trimmed.lastIndexOf('#');
  if (hash >= 0) return trimmed.slice(hash + 1);
  const slash = trimmed.lastIndexOf('/join/');
  if (slash >= 0) return trimmed.slice(slash + '/join/'.length);
  return trimmed;
}
