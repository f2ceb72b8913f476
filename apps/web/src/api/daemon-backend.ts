/**
 * `Backend` over the daemon's local API (apps/daemon/API.md): JSON over HTTP with the bearer
 * token, files streamed up as raw bodies, and one shared event WebSocket. Every failure is a
 * `BackendError` with the daemon's code and message.
 */
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
} from './backend.js';
import { openEventSocket } from './event-socket.js';

type Listener = { onEvent: (e: DaemonEvent) => void; onConnection?: (up: boolean) => void };

export interface DaemonBackendOptions {
  /** The daemon's origin; '' when the page is served by the daemon itself. */
  readonly baseUrl?: string;
  readonly token: string;
  readonly fetchImpl?: typeof fetch;
  readonly WebSocketImpl?: typeof WebSocket;
}

const UNREACHABLE =
  'The Poolnet daemon on this computer is not answering. Is `poolnet up` still running?';

export class DaemonBackend implements Backend {
  readonly mode = 'desktop' as const;
  private readonly base: string;
  private readonly listeners = new Set<Listener>();
  private closeSocket: (() => void) | undefined;
  private connected = false;

  constructor(private readonly options: DaemonBackendOptions) {
    this.base = options.baseUrl ?? '';
  }

  // ---- transport

  private async fetchRaw(path: string, init: RequestInit = {}): Promise<Response> {
    const doFetch = this.options.fetchImpl ?? fetch;
    let res: Response;
    try {
      res = await doFetch(`${this.base}${path}`, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          authorization: `Bearer ${this.options.token}`,
        },
      });
    } catch {
      throw new BackendError('DAEMON_UNREACHABLE', UNREACHABLE);
    }
    if (res.ok) return res;
    let code = `HTTP_${res.status}`;
    let message = `The daemon answered ${res.status}.`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the status
    }
    if (res.status === 401) {
      message = 'This page has no valid key for the daemon. Open the address `poolnet up` printed.';
    }
    throw new BackendError(code, message, res.status);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.fetchRaw(path, {
      method,
      ...(method === 'POST'
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }
        : {}),
    });
    try {
      return (await res.json()) as T;
    } catch {
      throw new BackendError('BAD_ANSWER', 'The daemon sent an answer this page cannot read.');
    }
  }

  // ---- account and devices

  status(): Promise<Status> {
    return this.call('GET', '/v1/status');
  }
  register(displayName: string, deviceName: string): Promise<Account> {
    return this.call('POST', '/v1/account/register', { name: displayName, device: deviceName });
  }
  signIn(): Promise<Account> {
    return this.call('POST', '/v1/account/login');
  }
  async signOut(): Promise<void> {
    await this.call('POST', '/v1/account/logout');
  }
  async devices(): Promise<Device[]> {
    return (await this.call<{ devices: Device[] }>('GET', '/v1/devices')).devices;
  }
  deviceCode(): Promise<DeviceCode> {
    return this.call('POST', '/v1/devices/code');
  }
  linkDevice(code: string, deviceName: string): Promise<Account> {
    return this.call('POST', '/v1/devices/link', { code, name: deviceName });
  }
  async renameDevice(deviceId: string, name: string): Promise<Device> {
    return (await this.call<{ device: Device }>('POST', '/v1/devices/rename', { deviceId, name }))
      .device;
  }
  async revokeDevice(deviceId: string): Promise<Device> {
    return (await this.call<{ device: Device }>('POST', '/v1/devices/revoke', { deviceId })).device;
  }
  settings(): Promise<Settings> {
    return this.call('GET', '/v1/settings');
  }
  updateSettings(patch: Partial<Settings>): Promise<Settings> {
    return this.call('POST', '/v1/settings', patch);
  }

  // ---- pools

  async pools(): Promise<Pool[]> {
    return (await this.call<{ pools: Pool[] }>('GET', '/v1/pools')).pools;
  }
  async createPool(name: string): Promise<Pool> {
    return (await this.call<{ pool: Pool }>('POST', '/v1/pools/create', { name })).pool;
  }
  async renamePool(pool: string, name: string): Promise<Pool> {
    return (await this.call<{ pool: Pool }>('POST', '/v1/pools/rename', { pool, name })).pool;
  }
  async joinPool(link: string): Promise<Pool> {
    return (await this.call<{ pool: Pool }>('POST', '/v1/pools/join', { link })).pool;
  }
  async leavePool(pool: string): Promise<void> {
    await this.call('POST', '/v1/pools/leave', { pool });
  }
  async members(pool: string): Promise<Member[]> {
    return (await this.call<{ members: Member[] }>('GET', `/v1/pools/members?${q({ pool })}`))
      .members;
  }
  async removeMember(pool: string, userId: string): Promise<void> {
    await this.call('POST', '/v1/pools/remove-member', { pool, userId });
  }
  async updatePoolSettings(
    pool: string,
    change: Partial<PoolSettings>,
  ): Promise<{ id: string; name: string; settings: PoolSettings }> {
    const body = { pool, ...change };
    type Answer = { pool: { id: string; name: string; settings: PoolSettings } };
    return (await this.call<Answer>('POST', '/v1/pools/settings', body)).pool;
  }
  createInvite(
    pool: string,
    options: { expiresSeconds?: number; uses?: number } = {},
  ): Promise<Invite> {
    return this.call('POST', '/v1/pools/invite', { pool, ...options });
  }
  async invites(pool: string): Promise<InviteView[]> {
    return (await this.call<{ invites: InviteView[] }>('GET', `/v1/invites?${q({ pool })}`))
      .invites;
  }
  async revokeInvite(pool: string, inviteId: string): Promise<void> {
    await this.call('POST', '/v1/invites/revoke', { pool, inviteId });
  }

  // ---- messages

  messages(pool: string, query: MessageQuery = {}): Promise<MessagePage> {
    return this.call('GET', `/v1/messages?${q({ pool, ...query })}`);
  }
  async send(pool: string, text: string): Promise<Message> {
    return (await this.call<{ message: Message }>('POST', '/v1/messages/send', { pool, text }))
      .message;
  }

  // ---- files

  files(pool: string): Promise<{ files: FileView[]; folders: FolderView[] }> {
    return this.call('GET', `/v1/files?${q({ pool })}`);
  }
  folder(pool: string, folder: string): Promise<{ folder: FolderView; files: FileView[] }> {
    return this.call('GET', `/v1/files/folder?${q({ pool, folder })}`);
  }
  async share(pool: string, files: File[]): Promise<FileView[]> {
    const shared: FileView[] = [];
    for (const file of files) {
      const res = await this.fetchRaw(`/v1/files/upload?${q({ pool, name: file.name })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: file,
      });
      const answer = (await res.json()) as { file?: FileView };
      if (answer.file) shared.push(answer.file);
    }
    return shared;
  }
  /** The daemon shares a folder of its own computer in place: the page names it, never uploads it. */
  async shareFolder(pool: string, source: FolderSource): Promise<SharedFolder> {
    if (!('path' in source) || typeof source.path !== 'string' || source.path.trim() === '') {
      throw new BackendError(
        'UNSUPPORTED',
        'Type or paste the folder’s path on this computer: the daemon shares it where it is.',
      );
    }
    return this.call('POST', '/v1/files/share', { pool, path: source.path.trim(), folder: true });
  }
  download(pool: string, file: string): Promise<{ path: string; sha256: string }> {
    return this.call('POST', '/v1/files/download', { pool, file });
  }
  downloadFolder(
    pool: string,
    folder: string,
    mode: 'all' | 'missing',
  ): Promise<{ folder: FolderView; path: string; files: FolderFileResult[] }> {
    return this.call('POST', '/v1/files/download-folder', { pool, folder, mode });
  }
  async cancelDownload(pool: string, file: string): Promise<void> {
    await this.call('POST', '/v1/files/cancel', { pool, file });
  }
  async retract(pool: string, file: string): Promise<void> {
    await this.call('POST', '/v1/files/retract', { pool, file });
  }
  async downloadHistory(pool?: string): Promise<DownloadRecord[]> {
    const query = q({ limit: 200, ...(pool === undefined ? {} : { pool }) });
    return (await this.call<{ downloads: DownloadRecord[] }>('GET', `/v1/downloads?${query}`))
      .downloads;
  }
  async fileBlob(pool: string, file: string): Promise<Blob> {
    return (await this.fetchRaw(`/v1/files/content?${q({ pool, file })}`)).blob();
  }
  async reveal(path: string): Promise<void> {
    await this.call('POST', '/v1/files/reveal', { path });
  }

  // ---- events

  subscribe(
    onEvent: (event: DaemonEvent) => void,
    onConnection?: (up: boolean) => void,
  ): Unsubscribe {
    const listener: Listener = { onEvent, ...(onConnection ? { onConnection } : {}) };
    this.listeners.add(listener);
    if (this.closeSocket === undefined) this.openSocket();
    else if (this.connected) onConnection?.(true);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.closeSocket?.();
        this.closeSocket = undefined;
        this.connected = false;
      }
    };
  }

  private openSocket(): void {
    const origin = this.base === '' ? window.location.origin : this.base;
    this.closeSocket = openEventSocket({
      url: `${origin.replace(/^http/, 'ws')}/v1/events`,
      token: this.options.token,
      ...(this.options.WebSocketImpl ? { WebSocketImpl: this.options.WebSocketImpl } : {}),
      onEvent: (event) => {
        for (const l of [...this.listeners]) l.onEvent(event);
      },
      onConnection: (up) => {
        this.connected = up;
        for (const l of [...this.listeners]) l.onConnection?.(up);
      },
    });
  }
}

/** A query string of the defined values. */
function q(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params.toString();
}
