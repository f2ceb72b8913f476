/**
 * @poolnet/store-sqlite: a device's storage in one SQLite file (better-sqlite3). Open it with
 * `openDeviceDatabase`, then build what you need on it: the engine's `MessageStore` per pool
 * and `ChunkStore`, and the daemon's repositories of joined pools, file offers, downloads and
 * settings. Every failure is a `StoreError` with a stable `code`.
 */
export { StoreError, type StoreErrorCode, isStoreError } from './errors.js';
export {
  DEVICE_DATABASE_FILE,
  DeviceDatabase,
  type DeviceDatabaseOptions,
  openDeviceDatabase,
} from './device-database.js';
export { APPLICATION_ID, type Migration, readMigrations } from './migrations.js';
export { SqliteMessageStore } from './message-store.js';
export { SqliteChunkStore } from './chunk-store.js';
export { type JoinedPool, JoinedPools, MAX_POOL_NAME_LENGTH } from './joined-pools.js';
export { type FileOffer, FileOffers, type NewFileOffer } from './file-offers.js';
export {
  type Download,
  type DownloadState,
  Downloads,
  type HistoryQuery,
  MAX_FAILURE_BYTES,
} from './downloads.js';
export {
  DEFAULT_DEVICE_SETTINGS,
  type DeviceSettingKey,
  type DeviceSettingValues,
  DeviceSettings,
  MAX_DISPLAY_NAME_BYTES,
} from './device-settings.js';
