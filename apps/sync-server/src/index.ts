/**
 * @poolnet/sync-server: accounts, devices, pools, invites and signalling for Poolnet nodes.
 */
export * from './store/index.js';
export * from './ice/index.js';
export * from './signalling/index.js';
export * from './http/index.js';
export * from './auth/index.js';
export { startPoolnetServer } from './api/compose.js';
