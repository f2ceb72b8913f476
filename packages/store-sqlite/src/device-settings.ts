import { MAX_DEVICE_NAME_BYTES } from '@poolnet/protocol';
import { checkedInteger, checkedLocalPath, checkedText } from './checks.js';
import type { DeviceDatabase } from './device-database.js';
import { StoreError } from './errors.js';

/** The device's settings, each with a type, rules and a default. */
export interface DeviceSettingValues {
  /** The user's name as pool mates see it; '' until chosen. */
  readonly displayName: string;
  /** This device's name ("Anna's laptop"); '' until chosen. */
  readonly deviceName: string;
  /** The absolute folder downloads go to; '' until chosen (the daemon then picks one). */
  readonly downloadsDir: string;
  /** How many bytes the chunk cache may hold. */
  readonly cacheSizeBytes: number;
}

export type DeviceSettingKey = keyof DeviceSettingValues;

/** Longest display name, in UTF-8 bytes: what the sync server accepts. */
export const MAX_DISPLAY_NAME_BYTES = 64;

export const DEFAULT_DEVICE_SETTINGS: DeviceSettingValues = {
  displayName: '',
  deviceName: '',
  downloadsDir: '',
  cacheSizeBytes: 512 * 1024 * 1024, // (tune)
};

type Rules = { readonly [K in DeviceSettingKey]: (value: unknown) => DeviceSettingValues[K] };

/** Each key's check: the value, typed, or `StoreError('INVALID_ARGUMENT')`. */
const RULES: Rules = {
  displayName: (v) => checkedText(v as string, 'displayName', 0, MAX_DISPLAY_NAME_BYTES),
  deviceName: (v) => checkedText(v as string, 'deviceName', 0, MAX_DEVICE_NAME_BYTES),
  downloadsDir: (v) => (v === '' ? '' : checkedLocalPath(v as string, 'downloadsDir')),
  cacheSizeBytes: (v) => checkedInteger(v as number, 'cacheSizeBytes'),
};
const KEYS = Object.keys(RULES) as DeviceSettingKey[];

const SELECT = 'SELECT value FROM settings WHERE key = ?';
const UPSERT = `
  INSERT INTO settings (key, value) VALUES (?, ?)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
const DELETE = 'DELETE FROM settings WHERE key = ?';

function ruleOf<K extends DeviceSettingKey>(key: K): Rules[K] {
  if (typeof key !== 'string' || !Object.hasOwn(RULES, key)) {
    throw new StoreError('INVALID_ARGUMENT', `unknown setting ${String(key)}`);
  }
  return RULES[key];
}

/**
 * The device's settings (table `settings`, values as JSON). A key never set reads as its
 * default; so does a stored value that no longer passes the key's rules (a file edited by
 * hand), so a bad value cannot keep the daemon from starting. `defaults` replaces built-in
 * defaults the platform knows better (the host name, the user's Downloads folder).
 */
export class DeviceSettings {
  readonly defaults: DeviceSettingValues;

  constructor(
    private readonly db: DeviceDatabase,
    defaults: Partial<DeviceSettingValues> = {},
  ) {
    const merged: Record<string, unknown> = { ...DEFAULT_DEVICE_SETTINGS };
    for (const key of KEYS) {
      const value = defaults[key];
      if (value !== undefined) merged[key] = RULES[key](value);
    }
    this.defaults = merged as unknown as DeviceSettingValues;
  }

  get<K extends DeviceSettingKey>(key: K): DeviceSettingValues[K] {
    return this.db.guard(`get setting ${key}`, () => {
      const rule = ruleOf(key);
      const stored = this.db.prepare(SELECT).pluck().get(key);
      if (typeof stored !== 'string') return this.defaults[key];
      try {
        return rule(JSON.parse(stored));
      } catch {
        return this.defaults[key];
      }
    });
  }

  set<K extends DeviceSettingKey>(key: K, value: DeviceSettingValues[K]): void {
    this.db.guard(`set setting ${key}`, () => {
      const checked = ruleOf(key)(value);
      this.db.prepare(UPSERT).run(key, JSON.stringify(checked));
    });
  }

  /** Back to the default. */
  reset(key: DeviceSettingKey): void {
    this.db.guard(`reset setting ${key}`, () => {
      ruleOf(key);
      this.db.prepare(DELETE).run(key);
    });
  }

  /** Every setting, stored or default. */
  all(): DeviceSettingValues {
    const values: Record<string, unknown> = {};
    for (const key of KEYS) values[key] = this.get(key);
    return values as unknown as DeviceSettingValues;
  }
}
