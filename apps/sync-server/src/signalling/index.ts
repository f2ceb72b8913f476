/** Signalling: the sync server's live side over one connection per node. Rules: ./RULES.md. */
export { SignallingHub } from './hub.js';
export type { Connection, Session } from './connection.js';
export {
  DEFAULT_LIMITS,
  resolveLimits,
  type Cancel,
  type Certification,
  type Clock,
  type HubConfig,
  type HubLimits,
  type Identity,
} from './config.js';
export {
  CLOSE_GOING_AWAY,
  CLOSE_NORMAL,
  SignallingError,
  closeCodeOf,
  isSignallingError,
  serverErrorOf,
  type SignallingErrorCode,
} from './errors.js';
export type { SignallingMetrics } from './metrics.js';
export type { PoolRouter, RemoteLink, RemotePeer, JoinRouteRequest } from './config.js';
export type { TopologyView } from './live-pool.js';
