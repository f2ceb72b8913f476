/**
 * The daemon's files in its data directory (API.md): small JSON or text files, owner-only
 * (0600), written atomically (temp file + rename) so a crash never leaves half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DaemonError } from './errors.js';

export const FILES = {
  daemon: 'daemon.json',
  apiToken: 'api-token',
  account: 'account.json',
  passkeys: 'passkeys.json',
  deviceKey: 'device.key',
  database: 'poolnet.db',
  downloads: 'downloads.json',
  settings: 'settings.json',
} as const;

export class DataDir {
  constructor(readonly path: string) {}

  file(name: string): string {
    return join(this.path, name);
  }

  /** Creates the directory (owner-only) if needed. */
  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
  }

  /** The file's text, or undefined when it does not exist. */
  async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new DaemonError('DATA_DIR', `cannot read ${this.file(name)}`, { cause: err });
    }
  }

  /** Parsed JSON checked by `parse`, or undefined when absent; damage is a typed error. */
  async readJson<T>(name: string, parse: (value: unknown) => T): Promise<T | undefined> {
    const text = await this.readText(name);
    if (text === undefined) return undefined;
    try {
      return parse(JSON.parse(text));
    } catch (err) {
      throw new DaemonError('DATA_DIR', `${this.file(name)} is damaged: ${String(err)}`, {
        cause: err,
      });
    }
  }

  /** Writes `text` to `name` with mode 0600, atomically. */
  async writeText(name: string, text: string): Promise<void> {
    const temp = this.file(`.${name}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, 0o600);
    await rename(temp, this.file(name));
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return this.writeText(name, `${JSON.stringify(value, null, 2)}\n`);
  }

  async remove(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }
}
