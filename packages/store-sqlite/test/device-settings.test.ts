import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEVICE_SETTINGS, DeviceSettings, type DeviceSettingKey } from '../src/index.js';
import { TempDatabases } from './fixture.js';

const dbs = new TempDatabases();
afterEach(() => dbs.closeAll());
afterAll(() => dbs.cleanup());

const code = (c: string) => expect.objectContaining({ code: c });

describe('DeviceSettings', () => {
  it('reads defaults until set, and keeps what is set across a reopen', () => {
    const path = dbs.path();
    const settings = new DeviceSettings(dbs.db(path));
    expect(settings.all()).toEqual(DEFAULT_DEVICE_SETTINGS);
    settings.set('displayName', 'Anna');
    settings.set('deviceName', 'Anna’s laptop');
    settings.set('downloadsDir', '/home/anna/Downloads');
    settings.set('cacheSizeBytes', 1024);
    dbs.closeAll();
    const again = new DeviceSettings(dbs.db(path));
    expect(again.all()).toEqual({
      displayName: 'Anna',
      deviceName: 'Anna’s laptop',
      downloadsDir: '/home/anna/Downloads',
      cacheSizeBytes: 1024,
    });
    again.reset('cacheSizeBytes');
    expect(again.get('cacheSizeBytes')).toBe(DEFAULT_DEVICE_SETTINGS.cacheSizeBytes);
  });

  it('takes platform defaults, checked like any value', () => {
    const db = dbs.db();
    const settings = new DeviceSettings(db, { deviceName: 'host-1', downloadsDir: '/dl' });
    expect(settings.get('deviceName')).toBe('host-1');
    expect(settings.get('downloadsDir')).toBe('/dl');
    expect(() => new DeviceSettings(db, { downloadsDir: 'dl' })).toThrow(code('INVALID_ARGUMENT'));
  });

  it('refuses bad values and unknown keys', () => {
    const settings = new DeviceSettings(dbs.db());
    expect(() => settings.set('displayName', 'x'.repeat(65))).toThrow(code('INVALID_ARGUMENT'));
    expect(() => settings.set('deviceName', 'é'.repeat(65))).toThrow(code('INVALID_ARGUMENT'));
    expect(() => settings.set('downloadsDir', 'relative')).toThrow(code('INVALID_ARGUMENT'));
    expect(() => settings.set('cacheSizeBytes', -1)).toThrow(code('INVALID_ARGUMENT'));
    expect(() => settings.set('cacheSizeBytes', '5' as unknown as number)).toThrow(
      code('INVALID_ARGUMENT'),
    );
    expect(() => settings.get('colour' as DeviceSettingKey)).toThrow(code('INVALID_ARGUMENT'));
    expect(settings.all()).toEqual(DEFAULT_DEVICE_SETTINGS);
  });

  it('a stored value that no longer passes its rules reads as the default', () => {
    const path = dbs.path();
    const settings = new DeviceSettings(dbs.db(path));
    settings.set('displayName', 'Anna');
    const raw = new Database(path);
    const put = raw.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
    put.run('cacheSizeBytes', '"lots"');
    put.run('downloadsDir', '{not json');
    put.run('someday', '1');
    raw.close();
    expect(settings.all()).toEqual({ ...DEFAULT_DEVICE_SETTINGS, displayName: 'Anna' });
  });
});
