export * from './hash-list.js';
export * from './download.js';
export * from './file-transfer.js';
