/**
 * The settings a person changes from the UI (downloads folder, relay cache, image auto-fetch),
 * kept in `settings.json` of the data directory. A saved value wins over the `poolnet up`
 * option, which wins over the default: a choice made in the UI survives restarts.
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { DaemonError } from './errors.js';
import { type DataDir, FILES } from './state-files.js';

const stored = z
  .object({
    downloadsDir: z.string().min(1).optional(),
    cacheSizeBytes: z.number().int().min(0).optional(),
    autoFetchImagesBytes: z.number().int().min(0).optional(),
  })
  .strip();

export type StoredSettings = z.infer<typeof stored>;

export interface SettingDefaults {
  readonly downloadsDir: string;
  readonly cacheSizeBytes: number;
  readonly autoFetchImagesBytes: number;
}

/** At most 1 TiB of cache or auto-fetch limit: a larger number is a typo. */
const MAX_BYTES = 2 ** 40;

export class DeviceSettings {
  private constructor(
    private readonly dir: DataDir,
    private readonly defaults: SettingDefaults,
    private saved: StoredSettings,
  ) {}

  static async load(dir: DataDir, defaults: SettingDefaults): Promise<DeviceSettings> {
    const saved = (await dir.readJson(FILES.settings, (v) => stored.parse(v))) ?? {};
    return new DeviceSettings(dir, defaults, saved);
  }

  get downloadsDir(): string {
    return this.saved.downloadsDir ?? this.defaults.downloadsDir;
  }
  get cacheSizeBytes(): number {
    return this.saved.cacheSizeBytes ?? this.defaults.cacheSizeBytes;
  }
  get autoFetchImagesBytes(): number {
    return this.saved.autoFetchImagesBytes ?? this.defaults.autoFetchImagesBytes;
  }

  /** Checks every field first, then saves them together (all or nothing). */
  async update(patch: Record<string, unknown>): Promise<void> {
    const next: StoredSettings = { ...this.saved };
    if (patch.downloadsDir !== undefined) {
      const dir = patch.downloadsDir;
      if (typeof dir !== 'string' || !isAbsolute(dir)) {
        throw new DaemonError('BAD_REQUEST', 'downloadsDir must be an absolute path');
      }
      try {
        await mkdir(dir, { recursive: true });
      } catch (cause) {
        throw new DaemonError('BAD_REQUEST', `cannot use ${dir} for downloads`, { cause });
      }
      next.downloadsDir = dir;
    }
    for (const field of ['cacheSizeBytes', 'autoFetchImagesBytes'] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new DaemonError('BAD_REQUEST', `${field} must be a whole number of bytes ≥ 0`);
      }
      if (value > MAX_BYTES) throw new DaemonError('BAD_REQUEST', `${field} is at most 1 TiB`);
      next[field] = value;
    }
    await this.dir.writeJson(FILES.settings, next);
    this.saved = next;
  }
}
