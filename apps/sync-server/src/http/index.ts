/** The sync server's network edge: config, HTTP routes, WebSocket gateway. Rules: ./RULES.md. */
export { parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.js';
export {
  ConfigError,
  GatewayError,
  HttpError,
  HTTP_STATUS,
  isHttpError,
  type ConfigIssue,
  type GatewayErrorCode,
  type HttpErrorCode,
} from './errors.js';
export { jsonErrorBody, sendJsonError, toHttpError, type JsonErrorBody } from './json-errors.js';
export {
  RATE_CLASSES,
  RateLimiter,
  type BucketLimit,
  type RateClass,
  type RateDecision,
  type RateLimiterOptions,
} from './rate-limiter.js';
export type { HttpMethod, Route, RouteRequest, RouteResponse } from './route.js';
export { CertificateAuthority } from './certificate-authority.js';
export {
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_UNSUPPORTED_DATA,
  SIGNAL_PATH,
  WebSocketGateway,
  type GatewayCounters,
  type GatewayOptions,
} from './websocket-gateway.js';
export { startSyncServer, type SyncServer, type SyncServerDeps } from './server.js';
export { WebApp, builtWebDir, webContentSecurityPolicy, type WebAppOptions } from './web-app.js';
