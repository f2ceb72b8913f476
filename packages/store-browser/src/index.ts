export { BrowserStoreError, type BrowserStoreErrorCode } from './errors.js';
export { openDatabase, requestResult, transactionDone } from './idb.js';
export { openDeviceStore } from './device-store.js';
export { IndexedDbMessageStore } from './indexeddb-message-store.js';
export { RecordStore } from './record-store.js';
