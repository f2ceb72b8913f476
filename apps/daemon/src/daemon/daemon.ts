/**
 * The daemon of one device: its account, its pools (one `PoolRuntime` each) and what the local
 * API asks of them (API.md). The pool list follows the server: every pool the user is a member
 * of is joined, and a pool the server no longer lists (left, removed, deleted) is stopped.
 */
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { TcpTransportOptions } from '@poolnet/transport-tcp';
import type { NodeWebRtcTransportOptions } from '@poolnet/transport-webrtc';
import {
  MAX_TEXT_BYTES,
  asMessageId,
  asPoolId,
  type PoolId,
  utf8ByteLength,
} from '@poolnet/protocol';
import {
  type DeviceDatabase,
  JoinedPools,
  SqliteMessageStore,
  openDeviceDatabase,
} from '@poolnet/store-sqlite';
import { type PoolView, type ServerPool, poolView, stunTargets } from '@poolnet/device';
import type { NatStatus } from '../api-types.js';
import { Account } from './account.js';
import { DeviceSettings } from './device-settings.js';
import { DownloadHistory, MAX_HISTORY } from './download-history.js';
import { DaemonError } from './errors.js';
import { checkNat } from './nat-check.js';
import { type FileEvent, type FolderMode, PoolFiles } from './pool-files.js';
import { type MessageView, PoolRuntime } from './pool-runtime.js';
import type { Json } from './server-api.js';
import { DataDir, FILES } from './state-files.js';
import { receiveUpload } from './uploads.js';

export interface DaemonOptions {
  readonly serverUrl: string;
  readonly dataDir: string;
  readonly log?: (line: string) => void;
  /** WebRTC settings (tests bind to 127.0.0.1); ICE servers come from the sync server. */
  readonly webrtc?: NodeWebRtcTransportOptions;
  /** Direct TCP + TLS links (default: listen on every address, any port); false: none. */
  readonly tcp?: TcpTransportOptions | false;
  /** Fault injection for end-to-end tests: serve every chunk with a byte flipped. */
  readonly corruptServedChunks?: boolean;
  /** How often the pool list is read from the server again. */
  readonly refreshMs?: number;
  /** Where downloads go when no folder is given (default DIR/downloads). */
  readonly downloadsDir?: string;
  /** Bytes of relay cache per pool (default 256 MiB). */
  readonly cacheBytes?: number;
  /**
   * Images other devices offer up to this many bytes are downloaded as soon as they are
   * offered, in every pool (default DEFAULT_AUTO_FETCH_IMAGE_BYTES; 0 turns it off).
   */
  readonly autoFetchImageBytes?: number;
}

/** Images up to this size are fetched on arrival unless the daemon is told otherwise. */
export const DEFAULT_AUTO_FETCH_IMAGE_BYTES = 16 * 1024 * 1024;

export type DaemonEvent =
  | FileEvent
  | { type: 'message'; message: MessageView }
  | { type: 'pool'; pool: string; joined: boolean }
  | {
      type: 'link';
      pool: string;
      peer: string;
      up: boolean;
      transport: string;
      /** A TURN relay carries it (WebRTC only; absent while unknown). */
      relayed?: boolean;
    }
  | { type: 'server'; connected: boolean };

const MAX_PAGE = 500;

export class Daemon {
  private readonly runtimes = new Map<PoolId, PoolRuntime>();
  private readonly files = new Map<PoolId, PoolFiles>();
  private serverPools = new Map<string, ServerPool>();
  private readonly names = new Map<string, string>();
  private readonly listeners = new Set<(event: DaemonEvent) => void>();
  private readonly joined: JoinedPools;
  private refreshTimer: NodeJS.Timeout | undefined;
  private iceServers: unknown[] | undefined;
  /** The NAT check's verdict (ADR 0010); null until the first ICE configuration arrived. */
  private nat: NatStatus | null = null;
  private natCheck: Promise<void> | undefined;
  private readonly natAbort = new AbortController();
  private closed = false;
  private lastConnected = false;
  private refreshPending: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: DaemonOptions,
    readonly dir: DataDir,
    readonly account: Account,
    private readonly db: DeviceDatabase,
    private readonly history: DownloadHistory,
    private readonly prefs: DeviceSettings,
  ) {
    this.joined = new JoinedPools(db);
  }

  static async open(options: DaemonOptions): Promise<Daemon> {
    const dir = new DataDir(options.dataDir);
    await dir.ensure();
    const account = await Account.load(dir, options.serverUrl);
    const history = await DownloadHistory.open(dir, (line) => options.log?.(line));
    const prefs = await DeviceSettings.load(dir, {
      downloadsDir: options.downloadsDir ?? dir.file('downloads'),
      cacheSizeBytes: options.cacheBytes ?? 256 * 1024 * 1024,
      autoFetchImagesBytes: options.autoFetchImageBytes ?? DEFAULT_AUTO_FETCH_IMAGE_BYTES,
    });
    const db = openDeviceDatabase(dir.file(FILES.database));
    return new Daemon(options, dir, account, db, history, prefs);
  }

  /** Joins the pools of the account, if there is one, and keeps following the server. */
  start(): void {
    if (this.account.current) this.scheduleRefresh(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.refreshPending);
    this.natAbort.abort();
    await this.natCheck;
    for (const runtime of this.runtimes.values()) runtime.stop();
    this.runtimes.clear();
    for (const files of this.files.values()) await files.close();
    this.files.clear();
    await this.history.flush();
    this.db.close();
  }

  onEvent(listener: (event: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- status and account

  status() {
    const account = this.account.current;
    return {
      deviceId: account?.deviceId ?? null,
      userId: account?.userId ?? null,
      displayName: account?.displayName ?? null,
      deviceName: account?.deviceName ?? null,
      server: { url: this.account.serverUrl, connected: this.connected() },
      dataDir: this.dir.path,
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

  async register(name: unknown, device: unknown) {
    const account = await this.account.register(
      text(name, 'name'),
      device === undefined ? hostname() : text(device, 'device'),
    );
    await this.refreshPools();
    return this.accountView(account);
  }

  async login() {
    const account = await this.account.login();
    await this.refreshPools();
    return this.accountView(account);
  }

  async logout(): Promise<{ ok: true }> {
    await this.account.logout();
    for (const runtime of this.runtimes.values()) runtime.stop();
    this.runtimes.clear();
    clearTimeout(this.refreshTimer);
    return { ok: true };
  }

  async link(code: unknown, name: unknown) {
    const account = await this.account.link(
      text(code, 'code'),
      name === undefined ? hostname() : text(name, 'name'),
    );
    await this.refreshPools();
    return this.accountView(account);
  }

  async devices() {
    const me = this.account.require();
    const { devices } = await this.account.api.authed('GET', '/v1/devices');
    return {
      devices: (devices as Json[]).map((d) => ({
        id: d.id,
        name: d.name,
        type: d.type,
        createdAt: d.createdAt,
        lastSeenAt: d.lastSeenAt,
        revokedAt: d.revokedAt,
        current: d.id === me.deviceId,
      })),
    };
  }

  async deviceCode() {
    this.account.require();
    const { code, qrPayload, expiresAt } = await this.account.api.authed(
      'POST',
      '/v1/devices/code',
    );
    return { code, qrPayload, expiresAt };
  }

  async renameDevice(deviceId: unknown, name: unknown) {
    this.account.require();
    return this.account.api.authed('POST', '/v1/devices/rename', {
      deviceId: text(deviceId, 'deviceId'),
      name: text(name, 'name'),
    });
  }

  async revokeDevice(deviceId: unknown) {
    this.account.require();
    return this.account.api.authed('POST', '/v1/devices/revoke', {
      deviceId: text(deviceId, 'deviceId'),
    });
  }

  // ---- settings (the UI's settings screen)

  settings() {
    const account = this.account.current;
    return {
      displayName: account?.displayName ?? null,
      deviceName: account?.deviceName ?? null,
      downloadsDir: this.prefs.downloadsDir,
      cacheSizeBytes: this.prefs.cacheSizeBytes,
      autoFetchImagesBytes: this.prefs.autoFetchImagesBytes,
    };
  }

  /** Display-name changes made here, so a pool list read before one does not undo it. */
  private renames = 0;

  /** Changes the given fields; the names go through the sync server, the rest to settings.json. */
  async updateSettings(patch: Record<string, unknown>) {
    const current = this.account.current;
    if (patch.displayName !== undefined && patch.displayName !== current?.displayName) {
      const displayName = text(patch.displayName, 'displayName').trim();
      // The sync server keeps display names (other members read them from the pool's members).
      this.renames += 1;
      await this.account.api.authed('POST', '/v1/account/rename', { displayName });
      this.renames += 1; // and a list asked for while the server was renaming
      await this.account.setDisplayName(displayName);
    }
    if (patch.deviceName !== undefined && patch.deviceName !== current?.deviceName) {
      const me = this.account.require();
      const name = text(patch.deviceName, 'deviceName').trim();
      await this.account.api.authed('POST', '/v1/devices/rename', { deviceId: me.deviceId, name });
      await this.account.setDeviceName(name);
    }
    await this.prefs.update(patch);
    return this.settings();
  }

  // ---- pools

  async pools(): Promise<{ pools: PoolView[] }> {
    this.account.require();
    await this.refreshPools();
    return { pools: [...this.serverPools.values()].map((p) => this.poolView(p)) };
  }

  async createPool(name: unknown): Promise<{ pool: PoolView }> {
    this.account.require();
    const { pool } = await this.account.api.authed('POST', '/v1/pools/create', {
      name: text(name, 'name'),
    });
    await this.refreshPools();
    return { pool: this.poolView(this.requireServerPool(pool.id)) };
  }

  async invite(pool: unknown, expiresSeconds: unknown, uses: unknown) {
    const poolId = this.resolvePool(pool);
    const ttl =
      expiresSeconds === undefined ? 7 * 86_400 : int(expiresSeconds, 'expiresSeconds', 60);
    const maxUses = uses === undefined ? 1 : int(uses, 'uses', 1);
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

  async join(link: unknown): Promise<{ pool: PoolView }> {
    this.account.require();
    const token = inviteToken(text(link, 'link'));
    const { pool } = await this.account.api.authed('POST', '/v1/invites/join', { token });
    await this.refreshPools();
    return { pool: this.poolView(this.requireServerPool(pool.id)) };
  }

  async leave(pool: unknown): Promise<{ ok: true }> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/leave', { poolId });
    this.dropPool(poolId);
    return { ok: true };
  }

  /** Owner only (the server says FORBIDDEN otherwise). */
  async renamePool(pool: unknown, name: unknown): Promise<{ pool: PoolView }> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/rename', { poolId, name: text(name, 'name') });
    await this.refreshPools();
    return { pool: this.poolView(this.requireServerPool(poolId)) };
  }

  /** Owner only: the pool's limits (text bytes, file bytes). */
  async poolSettings(pool: unknown, maxTextBytes: unknown, maxFileBytes: unknown) {
    const poolId = this.resolvePool(pool);
    const change: Record<string, number> = {};
    if (maxTextBytes !== undefined) change.maxTextBytes = int(maxTextBytes, 'maxTextBytes', 1);
    if (maxFileBytes !== undefined) change.maxFileBytes = int(maxFileBytes, 'maxFileBytes', 1);
    const { pool: updated } = await this.account.api.authed('POST', '/v1/pools/settings', {
      poolId,
      ...change,
    });
    return {
      pool: { id: updated.id as string, name: updated.name as string, settings: updated.settings },
    };
  }

  /** Owner only: the member's devices are disconnected by the server. */
  async removeMember(pool: unknown, userId: unknown): Promise<{ ok: true }> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/pools/remove-member', {
      poolId,
      userId: text(userId, 'userId'),
    });
    await this.refreshPools();
    return { ok: true };
  }

  /** The pool's invites; their links cannot be shown again (the server keeps only a hash). */
  async invites(pool: unknown) {
    const poolId = this.resolvePool(pool);
    const { invites } = await this.account.api.authed('POST', '/v1/invites/list', { poolId });
    return {
      invites: (invites as Json[]).map((i) => ({
        id: i.id as string,
        link: null,
        createdBy: i.createdBy as string,
        createdAt: i.createdAt as number,
        expiresAt: i.expiresAt as number,
        maxUses: i.maxUses as number,
        uses: i.uses as number,
        revoked: i.revokedAt !== null,
      })),
    };
  }

  async revokeInvite(pool: unknown, inviteId: unknown): Promise<{ ok: true }> {
    const poolId = this.resolvePool(pool);
    await this.account.api.authed('POST', '/v1/invites/revoke', {
      poolId,
      inviteId: text(inviteId, 'inviteId'),
    });
    return { ok: true };
  }

  async members(pool: unknown) {
    const poolId = this.resolvePool(pool);
    await this.refreshPools();
    const p = this.requireServerPool(poolId);
    return {
      members: p.members.map((m) => ({
        userId: m.member.userId,
        displayName: m.displayName,
        role: m.member.role,
        devices: m.devices.map((d) => ({ id: d.id, name: d.name, type: d.type, online: d.online })),
      })),
    };
  }

  // ---- messages

  async send(pool: unknown, body: unknown): Promise<{ message: MessageView }> {
    const poolId = this.resolvePool(pool);
    const message = text(body, 'text');
    if (utf8ByteLength(message) > MAX_TEXT_BYTES) {
      throw new DaemonError('BAD_REQUEST', `text is longer than ${MAX_TEXT_BYTES} bytes`);
    }
    const sent = await this.runtime(poolId).sendText(message);
    this.joined.markRead(poolId, asMessageId(sent.id));
    return { message: sent };
  }

  async messages(pool: unknown, query: { before?: string; after?: string; limit?: string }) {
    const poolId = this.resolvePool(pool);
    const limit = query.limit === undefined ? 50 : int(Number(query.limit), 'limit', 1);
    if (limit > MAX_PAGE) throw new DaemonError('BAD_REQUEST', `limit is at most ${MAX_PAGE}`);
    if (query.before !== undefined && query.after !== undefined) {
      throw new DaemonError('BAD_REQUEST', 'give before or after, not both');
    }
    // History is on disk: it reads the same whether or not the pool is connected.
    const runtime = this.runtimes.get(poolId) ?? this.historyOf(poolId);
    for (const cursor of [query.before, query.after]) {
      if (cursor !== undefined && !(await runtime.has(asMessageId(cursor)))) {
        throw new DaemonError('NOT_FOUND', `no message ${cursor} in this pool`);
      }
    }
    const read = () =>
      runtime.page({
        limit,
        ...(query.before === undefined ? {} : { before: asMessageId(query.before) }),
        ...(query.after === undefined ? {} : { after: asMessageId(query.after) }),
      });
    let page = await read();
    // An author this device has not heard of yet: learn the names, then read again.
    if (page.messages.some((m) => m.authorName === null && m.userId !== '')) {
      try {
        await this.refreshPools();
        page = await read();
      } catch {
        // Offline: names stay unknown for now.
      }
    }
    const newest = page.messages.at(-1);
    if (newest && !page.hasNewer) this.joined.markRead(poolId, asMessageId(newest.id));
    return page;
  }

  // ---- files

  /**
   * Offers a file (an image with a preview) or a folder (every regular file under it);
   * `folder: true` asks for a folder only.
   */
  async share(pool: unknown, path: unknown, folder?: unknown) {
    const poolId = this.resolvePool(pool);
    if (folder !== undefined && typeof folder !== 'boolean') {
      throw new DaemonError('BAD_REQUEST', 'folder must be true or false');
    }
    return this.filesOf(poolId).share(resolve(text(path, 'path')), folder === true);
  }

  /** A file streamed from the page: saved under DIR/uploads, then shared from there. */
  async upload(pool: unknown, name: unknown, body: IncomingMessage) {
    const poolId = this.resolvePool(pool);
    const files = this.filesOf(poolId);
    const path = await receiveUpload(body, this.dir.file('uploads'), text(name, 'name'));
    return files.share(path);
  }

  /** Where the bytes of a held file are, for the local API to stream. */
  content(pool: unknown, file: unknown) {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).content(text(file, 'file'));
  }

  listFiles(pool: unknown) {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).list(this.online(poolId));
  }

  folderFiles(pool: unknown, folder: unknown) {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).folder(text(folder, 'folder'), this.online(poolId));
  }

  async download(pool: unknown, file: unknown, to: unknown) {
    const poolId = this.resolvePool(pool);
    const fileId = text(file, 'file');
    const target = to === undefined ? undefined : resolve(text(to, 'to'));
    return this.filesOf(poolId).download(fileId, target);
  }

  async downloadFolder(pool: unknown, folder: unknown, mode: unknown, to: unknown) {
    const poolId = this.resolvePool(pool);
    const folderId = text(folder, 'folder');
    if (mode !== 'all' && mode !== 'missing') {
      throw new DaemonError('BAD_REQUEST', 'mode must be "all" or "missing"');
    }
    const target = to === undefined ? undefined : resolve(text(to, 'to'));
    return this.filesOf(poolId).downloadFolder(folderId, mode as FolderMode, target);
  }

  async cancelDownload(pool: unknown, file: unknown) {
    const poolId = this.resolvePool(pool);
    await this.filesOf(poolId).cancel(text(file, 'file'));
    return { ok: true };
  }

  async retract(pool: unknown, file: unknown) {
    const poolId = this.resolvePool(pool);
    await this.filesOf(poolId).retract(text(file, 'file'));
    return { ok: true };
  }

  fileStats(pool: unknown) {
    const poolId = this.resolvePool(pool);
    return this.filesOf(poolId).stats;
  }

  /** Finished, failed and cancelled downloads of this device, newest first. */
  downloads(pool: unknown, limit: unknown) {
    const poolId = pool === undefined ? undefined : this.resolvePool(pool);
    const max = limit === undefined ? 50 : int(Number(limit), 'limit', 1);
    if (max > MAX_HISTORY) throw new DaemonError('BAD_REQUEST', `limit is at most ${MAX_HISTORY}`);
    return {
      downloads: this.history.list({
        limit: max,
        ...(poolId === undefined ? {} : { pool: poolId }),
      }),
    };
  }

  private online(poolId: PoolId): Set<string> {
    return new Set(
      this.runtimes
        .get(poolId)
        ?.signalling.members()
        .map((m) => m.nodeId),
    );
  }

  private filesOf(poolId: PoolId): PoolFiles {
    const files = this.files.get(poolId);
    if (!files) throw new DaemonError('NOT_JOINED', 'this device is not in that pool');
    return files;
  }

  // ---- following the server

  /** Reads the pool list and starts or stops pool runtimes to match it. */
  async refreshPools(): Promise<void> {
    const me = this.account.require();
    // A rename that lands while this list is on its way wins over the name the list carries.
    const renames = this.renames;
    const { pools } = (await this.account.api.authed('GET', '/v1/pools')) as {
      pools: ServerPool[];
    };
    await this.account.ensureSigningKey();
    if (this.iceServers === undefined) {
      try {
        const ice = await this.account.api.authed('GET', '/v1/ice');
        this.iceServers = Array.isArray(ice.iceServers) ? ice.iceServers : [];
      } catch (err) {
        this.log(`no ICE configuration from the server: ${String(err)}`);
      }
    }
    if (this.iceServers !== undefined) this.startNatCheck(this.iceServers);
    this.serverPools = new Map(pools.map((p) => [p.pool.id, p]));
    for (const p of pools) {
      for (const m of p.members) this.names.set(m.member.userId, m.displayName);
      const mine = p.members.find((m) => m.member.userId === me.userId);
      if (mine && renames === this.renames) await this.account.setDisplayName(mine.displayName);
      const poolId = asPoolId(p.pool.id);
      this.joined.join({ poolId, name: p.pool.name, joinedAt: Date.now() });
      if (!this.runtimes.has(poolId) && !this.closed) this.startPool(poolId);
    }
    for (const poolId of [...this.runtimes.keys()]) {
      if (!this.serverPools.has(poolId)) this.dropPool(poolId);
    }
  }

  private startPool(poolId: PoolId): void {
    const me = this.account.require();
    const prefs = this.prefs;
    const files = new PoolFiles({
      poolId,
      selfId: me.deviceId,
      dir: this.dir.file(join('files', poolId)),
      // Read on each use: a change in the settings applies at once (the cache size when the
      // pool starts again).
      get downloadsDir() {
        return prefs.downloadsDir;
      },
      cacheBytes: prefs.cacheSizeBytes,
      store: new SqliteMessageStore(this.db, poolId),
      get autoFetchImageBytes() {
        return prefs.autoFetchImagesBytes;
      },
      onEvent: (event) => this.emit(event),
      onDownloadEnded: (record) => void this.history.record(record),
      log: (line) => this.log(`[${poolId}] ${line}`),
    });
    this.files.set(poolId, files);
    const runtime = new PoolRuntime({
      files,
      poolId,
      api: this.account.api,
      db: this.db,
      device: { deviceId: me.deviceId, userId: me.userId, name: me.deviceName },
      signingKey: this.account.signingKey,
      tcp: this.options.tcp ?? {},
      corruptServedChunks: this.options.corruptServedChunks === true,
      webrtc: {
        ...this.options.webrtc,
        ...(this.iceServers === undefined
          ? {}
          : { iceServers: this.iceServers as NodeWebRtcTransportOptions['iceServers'] }),
      },
      displayName: (userId) => this.displayName(userId),
      onMembers: (userIds) => {
        if (userIds.some((id) => !this.names.has(id))) this.refreshSoon();
      },
      ensureSigningKey: () => this.account.ensureSigningKey(),
      onMessage: (message) => this.emit({ type: 'message', message }),
      onPlaced: (placed) => {
        this.emit({ type: 'pool', pool: poolId, joined: placed });
        this.serverState();
      },
      onLink: (peer, up, transport, relayed) =>
        this.emit({
          type: 'link',
          pool: poolId,
          peer,
          up,
          transport,
          ...(relayed === undefined ? {} : { relayed }),
        }),
      onGone: (reason) => {
        this.log(`access to ${poolId} ended: ${reason}`);
        this.dropPool(poolId);
      },
      log: (line) => this.log(line),
    });
    this.runtimes.set(poolId, runtime);
    // The offers and held files are read before the pool connects, so resumes find them.
    files.load().then(
      () => {
        if (this.runtimes.get(poolId) === runtime) runtime.start();
      },
      (err: unknown) => {
        this.log(`[${poolId}] cannot load its files: ${String(err)}`);
        if (this.runtimes.get(poolId) === runtime) runtime.start();
      },
    );
  }

  /**
   * Learns the NAT type once, in the background, from the STUN ports the ICE configuration
   * lists: joining pools does not wait for it, and a failure is a verdict, not an error.
   */
  private startNatCheck(iceServers: readonly unknown[]): void {
    if (this.natCheck !== undefined || this.closed) return;
    const signal = this.natAbort.signal;
    this.natCheck = checkNat(stunTargets(iceServers), { signal }).then((nat) => {
      if (signal.aborted) return;
      this.nat = nat;
      this.log(`NAT check: ${nat.message}`);
    });
  }

  private dropPool(poolId: PoolId): void {
    this.runtimes.get(poolId)?.stop();
    this.runtimes.delete(poolId);
    void this.files.get(poolId)?.close();
    this.files.delete(poolId);
    this.serverPools.delete(poolId);
    this.joined.leave(poolId);
    this.emit({ type: 'pool', pool: poolId, joined: false });
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (this.closed || !this.account.current) return;
      this.refreshPools().then(
        () => this.scheduleRefresh(this.options.refreshMs ?? 30_000),
        (err: unknown) => {
          this.log(`cannot read the pool list: ${String(err)}`);
          this.scheduleRefresh(3000);
        },
      );
    }, delayMs);
  }

  // ---- helpers

  /** A user's display name; an unknown user makes the pool list be read again soon. */
  private displayName(userId: string): string | null {
    const name = this.names.get(userId);
    if (name === undefined) this.refreshSoon();
    return name ?? null;
  }

  /** Reads the pool list again shortly (at most one read in flight, one waiting). */
  private refreshSoon(): void {
    if (this.refreshPending || this.closed || !this.account.current) return;
    this.refreshPending = setTimeout(() => {
      this.refreshPools()
        .catch((err: unknown) => this.log(`cannot read the pool list: ${String(err)}`))
        .finally(() => (this.refreshPending = undefined));
    }, 200);
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

  /** A runtime that is never started: reads the pool's log, sends nothing. */
  private historyOf(poolId: PoolId): PoolRuntime {
    const me = this.account.require();
    return new PoolRuntime({
      poolId,
      api: this.account.api,
      db: this.db,
      device: { deviceId: me.deviceId, userId: me.userId, name: me.deviceName },
      signingKey: this.account.signingKey,
      webrtc: {},
      tcp: false,
      displayName: (userId) => this.displayName(userId),
      onMembers: () => undefined,
      ensureSigningKey: async () => undefined,
      onMessage: () => undefined,
      onPlaced: () => undefined,
      onLink: () => undefined,
      onGone: () => undefined,
      log: () => undefined,
    });
  }

  private runtime(poolId: PoolId): PoolRuntime {
    const runtime = this.runtimes.get(poolId);
    if (!runtime) throw new DaemonError('NOT_JOINED', 'this device is not in that pool');
    return runtime;
  }

  /**
   * A pool id or a unique pool name (case-insensitive), among the pools the server lists and
   * those this device joined before (so history reads work while the server is away).
   */
  private resolvePool(ref: unknown): PoolId {
    this.account.require();
    const wanted = text(ref, 'pool');
    const known = new Map<string, string>();
    for (const p of this.joined.list()) known.set(p.poolId, p.name);
    for (const p of this.serverPools.values()) known.set(p.pool.id, p.pool.name);
    if (known.has(wanted)) return asPoolId(wanted);
    const lower = wanted.toLowerCase();
    const named = [...known].filter(([, name]) => name.toLowerCase() === lower);
    if (named.length === 1 && named[0]) return asPoolId(named[0][0]);
    throw new DaemonError(
      'UNKNOWN_POOL',
      named.length > 1
        ? `several pools are called ${wanted}: ${named.map(([id]) => id).join(', ')}`
        : `no pool ${wanted}; pools: ${[...known].map(([id, name]) => `${name} (${id})`).join(', ') || 'none'}`,
    );
  }

  private requireServerPool(id: string): ServerPool {
    const pool = this.serverPools.get(id);
    if (!pool) throw new DaemonError('UNKNOWN_POOL', `no pool ${id}`);
    return pool;
  }

  private poolView(p: ServerPool): PoolView {
    const unread = this.joined.get(asPoolId(p.pool.id))?.unread ?? 0;
    return poolView(p, this.account.require().userId, unread);
  }

  private accountView(account: {
    userId: string;
    deviceId: string;
    displayName: string | null;
    deviceName: string;
  }) {
    return {
      userId: account.userId,
      deviceId: account.deviceId,
      displayName: this.account.current?.displayName ?? account.displayName ?? '',
      deviceName: account.deviceName,
    };
  }

  private emit(event: DaemonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log(`event listener failed: ${String(err)}`);
      }
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** A non-empty string field, or BAD_REQUEST. */
function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DaemonError('BAD_REQUEST', `${field} must be a non-empty string`);
  }
  return value;
}

function int(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new DaemonError('BAD_REQUEST', `${field} must be an integer ≥ ${min}`);
  }
  return value;
}

/** The invite token from a link (`…/join#TOKEN`, `…/join/TOKEN`) or a bare token. */
export function inviteToken(link: string): string {
  const trimmed = link.trim();
  const hash = trimmed.lastIndexOf('#');
  if (hash >= 0) return trimmed.slice(hash + 1);
  const slash = trimmed.lastIndexOf('/join/');
  if (slash >= 0) return trimmed.slice(slash + '/join/'.length);
  return trimmed;
}
