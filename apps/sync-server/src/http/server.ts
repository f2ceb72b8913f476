/**
 * The sync server process edge: one node:http(s) server carrying the JSON API and the
 * signalling WebSocket, the STUN responder on its UDP port, the store and the certificate
 * authority. Everything it needs arrives as a parsed `ServerConfig` and injected
 * dependencies; it reads no environment. Identity (who a bearer token is) is injected too,
 * so the auth service plugs in without this file changing.
 */
import { readFile } from 'node:fs/promises';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { systemClock } from '@poolnet/engine';
import { type Logger, pino } from 'pino';
import type { NodeId, PoolId, UserId } from '@poolnet/protocol';
import { StunServer, buildIceConfig } from '../ice/index.js';
import {
  type Clock,
  type HubLimits,
  type Identity,
  type PoolRouter,
  SignallingError,
  SignallingHub,
} from '../signalling/index.js';
import { type ServerStore, openServerStore, storeConfigFor } from '../store/index.js';
import { CertificateAuthority } from './certificate-authority.js';
import { clientAddress } from './client-address.js';
import type { ServerConfig } from './config.js';
import { ConfigError, HttpError } from './errors.js';
import { sendJsonError, toHttpError } from './json-errors.js';
import {
  type MetricSample,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheusText,
} from './prometheus-text.js';
import {
  type BucketLimit,
  type RateClass,
  type RateDecision,
  RateLimiter,
} from './rate-limiter.js';
import { readJsonBody } from './request-body.js';
import type { Route, RouteRequest, RouteResponse } from './route.js';
import { serverMetrics } from './server-metrics.js';
import { WebApp } from './web-app.js';
import { SIGNAL_PATH, WebSocketGateway } from './websocket-gateway.js';

export interface SyncServerDeps {
  /** Who an access token belongs to; undefined when unknown, expired or revoked. */
  authenticate(accessToken: string): Promise<Identity | undefined>;
  /**
   * The Ed25519 public key (32 bytes) a device signs with, for the certificate it gets at
   * join; `undefined` when it registered none, which refuses the join as FORBIDDEN
   * (`NO_SIGNING_KEY`). Throwing refuses it as INTERNAL ([SIG13]).
   */
  devicePublicKey(request: {
    readonly poolId: PoolId;
    readonly userId: UserId;
    readonly nodeId: NodeId;
  }): Promise<Uint8Array | undefined>;
  /** Whether the user is a member of the pool. Default: the store's membership table. */
  isMember?(userId: UserId, poolId: PoolId): Promise<boolean>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Extra JSON routes (the auth and pool APIs), given the opened store. */
  routes?(context: {
    readonly store: ServerStore;
    readonly clock: Clock;
    /** To end the connections of a device or member whose access ended ([SIG15]). */
    readonly hub: SignallingHub;
  }): readonly Route[];
  /** Hub limits; any left out take the hub's defaults. */
  readonly hubLimits?: Partial<HubLimits>;
  /** Where INTERNAL causes go (they never reach the client). Default: logged at `error`. */
  onInternalError?(error: unknown): void;
  /** Structured logs. Default: pino on stdout at `config.logLevel`. */
  readonly logger?: Logger;
  /** Cluster mode: where each pool is served (see `src/cluster/`). */
  readonly router?: PoolRouter;
  /** The authority's 32-byte seed, shared by a cluster; default: the key file. */
  readonly authorityKey?: Uint8Array;
  /** More samples for GET /metrics (the cluster's). */
  extraMetrics?(): readonly MetricSample[];
  /** Labels on every sample of GET /metrics (the cluster instance id). */
  readonly metricLabels?: Readonly<Record<string, string>>;
  /**
   * A second, shared rate limit asked after this instance's own allows a request (a
   * cluster's buckets in PostgreSQL); undefined from it means "cannot tell": allowed.
   */
  sharedRateLimit?(
    rateClass: RateClass,
    address: string,
    limit: BucketLimit,
  ): Promise<RateDecision | undefined>;
}

export interface SyncServer {
  /** `http(s)://host:port` of the JSON API. */
  readonly url: string;
  /** `ws(s)://host:port/v1/signal`. */
  readonly wsUrl: string;
  /** The UDP port the STUN responder is bound to. */
  readonly stunPort: number;
  /** Graceful stop: sessions told 1001, sockets closed, STUN and store released. Idempotent. */
  close(): Promise<void>;
}

/** Opens the store, starts STUN and listens. On any failure, what was started is stopped. */
export async function startSyncServer(
  config: ServerConfig,
  deps: SyncServerDeps,
): Promise<SyncServer> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? pino({ level: config.logLevel, base: { service: 'poolnet-sync' } });
  const onInternalError =
    deps.onInternalError ?? ((error: unknown) => logger.error({ err: error }, 'internal error'));
  const tls = config.tls === undefined ? undefined : await readTls(config.tls);
  const cleanup: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(onInternalError);
  };
  try {
    const store = await openServerStore(storeConfigFor(config.databaseUrl, config.dataDir));
    cleanup.push(() => store.close());
    const authority =
      deps.authorityKey === undefined
        ? await CertificateAuthority.open(
            config.authorityKeyPath ?? join(config.dataDir, 'authority.key'),
            config.certificateTtlSeconds * 1000,
          )
        : new CertificateAuthority(deps.authorityKey, config.certificateTtlSeconds * 1000);
    const stun = new StunServer();
    const stunAddress = await stun.start({ host: config.stun.host, port: config.stun.port });
    cleanup.push(() => stun.close());
    // The NAT check's second port (ADR 0010): listed after the first in the ICE config.
    const alternateStun = config.stun.alternatePort === undefined ? undefined : new StunServer();
    const alternateAddress = await alternateStun?.start({
      host: config.stun.host,
      port: config.stun.alternatePort ?? 0,
    });
    if (alternateStun) cleanup.push(() => alternateStun.close());

    const hub = new SignallingHub({
      clock,
      limits: deps.hubLimits,
      router: deps.router,
      authenticate: (token) => deps.authenticate(token),
      isMember:
        deps.isMember ??
        (async (userId, poolId) => (await store.getMembership(poolId, userId)) !== undefined),
      certify: async ({ poolId, userId, nodeId }) => {
        const publicKey = await deps.devicePublicKey({ poolId, userId, nodeId });
        if (publicKey === undefined) {
          throw new SignallingError('NO_SIGNING_KEY', 'register a signing key before joining');
        }
        return {
          cert: authority.issue({ nodeId, userId, publicKey, nowMs: clock.now() }),
          authorityPublicKey: authority.publicKey,
        };
      },
    });
    const limiter = new RateLimiter({
      limits: config.rateLimits,
      maxBuckets: config.rateLimitMaxBuckets,
      clock,
    });
    const sharedRefusals = { count: 0 };

    const iceRoute: Route = {
      method: 'GET',
      path: '/v1/ice',
      handle: async (request) => {
        const identity = await authenticateBearer(request, deps);
        const turn = config.turn;
        const body = buildIceConfig(
          {
            stun: [stunAddress, ...(alternateAddress ? [alternateAddress] : [])].map(
              ({ port }) => ({ host: config.stun.publicHost ?? config.stun.host, port }),
            ),
            turn: turn && {
              host: turn.host,
              port: turn.port,
              tlsPort: turn.tlsPort,
              secret: turn.secret,
              ttlSeconds: turn.ttl,
            },
          },
          { userId: identity.userId, nowMs: clock.now() },
        );
        return { status: 200, body };
      },
    };
    const healthRoute: Route = {
      method: 'GET',
      path: '/healthz',
      handle: async () => ({ status: 200, body: { ok: true } }),
    };
    const routes = new Map<string, Route>();
    for (const route of [healthRoute, iceRoute, ...(deps.routes?.({ store, clock, hub }) ?? [])]) {
      routes.set(`${route.method} ${route.path}`, route);
    }

    // Called only for requests, which arrive after `gateway` below exists.
    const metricsText = () =>
      renderPrometheusText(
        serverMetrics({
          hub: hub.metrics(),
          stun: stun.counters(),
          gateway: gateway.counters(),
          openSockets: gateway.openSockets,
          rateLimited: limiter.refused + sharedRefusals.count,
        }).concat(deps.extraMetrics?.() ?? []),
        deps.metricLabels,
      );

    const webApp =
      config.webDir === undefined
        ? undefined
        : new WebApp({
            dir: config.webDir,
            tls: tls !== undefined,
            rp: config.rp,
            trustProxy: config.trustProxy,
          });
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      void handleRequest(req, res, {
        routes,
        limiter,
        sharedRateLimit: deps.sharedRateLimit,
        sharedRefusals,
        config,
        metricsText,
        onInternalError,
        logger,
        webApp,
      });
    };
    const server: Server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
    const gateway = new WebSocketGateway(server, {
      hub,
      maxBufferedBytes: config.wsMaxBufferedBytes,
      admit: (req) => {
        const address = clientAddress(req, config.trustProxy);
        const decision = limiter.take(address, 'join');
        if (!decision.allowed) {
          throw new HttpError('RATE_LIMITED', 'too many connections from this address', {
            retryAfterSeconds: decision.retryAfterSeconds,
          });
        }
        return address;
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    cleanup.push(async () => {
      hub.shutdown();
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    });

    const port = (server.address() as AddressInfo).port;
    const host = isIPv6(config.host) ? `[${config.host}]` : config.host;
    let closing: Promise<void> | undefined;
    return {
      url: `${tls ? 'https' : 'http'}://${host}:${port}`,
      wsUrl: `${tls ? 'wss' : 'ws'}://${host}:${port}${SIGNAL_PATH}`,
      stunPort: stunAddress.port,
      close: () => (closing ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

interface RequestContext {
  readonly routes: ReadonlyMap<string, Route>;
  readonly limiter: RateLimiter;
  readonly sharedRateLimit: SyncServerDeps['sharedRateLimit'];
  /** Requests the shared limit refused (counted with the local ones in the metrics). */
  readonly sharedRefusals: { count: number };
  readonly config: ServerConfig;
  readonly metricsText: () => string;
  readonly onInternalError: (error: unknown) => void;
  readonly logger: Logger;
  /** The browser node's page, when `webDir` is configured. */
  readonly webApp?: WebApp;
}

/** One request: route, rate limit, body, handler, and every failure as a JSON error. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: RequestContext,
): Promise<void> {
  let bodyRead = req.method === 'GET' || req.method === 'HEAD';
  const started = performance.now();
  // Never the query string or headers: they may carry secrets.
  res.once('finish', () => {
    const path = (req.url ?? '/').split('?')[0];
    const entry = {
      method: req.method,
      path,
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
    };
    if (res.statusCode === 429) context.logger.warn(entry, 'rate limited');
    else context.logger.debug(entry, 'request');
  });
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const text = context.metricsText();
      res.writeHead(200, {
        'content-type': PROMETHEUS_CONTENT_TYPE,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const route = context.routes.get(`${req.method ?? ''} ${url.pathname}`);
    if (
      route === undefined &&
      context.webApp !== undefined &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      !url.pathname.startsWith('/v1/')
    ) {
      await context.webApp.serve(req, res, url.pathname);
      return;
    }
    if (route === undefined) {
      throw new HttpError('NOT_FOUND', `no route for ${req.method ?? ''} ${url.pathname}`);
    }
    const remoteAddress = clientAddress(req, context.config.trustProxy);
    if (route.rateClass !== undefined) {
      let decision = context.limiter.take(remoteAddress, route.rateClass);
      if (decision.allowed && context.sharedRateLimit) {
        const limit = context.config.rateLimits[route.rateClass];
        decision =
          (await context.sharedRateLimit(route.rateClass, remoteAddress, limit)) ?? decision;
        if (!decision.allowed) context.sharedRefusals.count++;
      }
      if (!decision.allowed) {
        throw new HttpError('RATE_LIMITED', 'too many requests from this address', {
          retryAfterSeconds: decision.retryAfterSeconds,
        });
      }
    }
    const body = bodyRead ? undefined : await readJsonBody(req, context.config.bodyLimitBytes);
    bodyRead = true;
    const request: RouteRequest = {
      method: route.method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      remoteAddress,
      bearerToken: bearerTokenOf(req),
      body,
    };
    sendJson(res, await route.handle(request));
  } catch (err) {
    const error = toHttpError(err);
    if (error.code === 'INTERNAL') context.onInternalError(error.cause ?? error);
    // A body left unread would be parsed as the next request: end the connection instead.
    if (!bodyRead && !res.headersSent) res.setHeader('connection', 'close');
    sendJsonError(res, error);
  }
}

function sendJson(res: ServerResponse, response: RouteResponse): void {
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...response.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function bearerTokenOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** The caller's identity from its bearer token, or UNAUTHENTICATED. */
async function authenticateBearer(
  request: RouteRequest,
  deps: Pick<SyncServerDeps, 'authenticate'>,
): Promise<Identity> {
  if (request.bearerToken === undefined) {
    throw new HttpError('UNAUTHENTICATED', 'an Authorization: Bearer token is required');
  }
  const identity = await deps.authenticate(request.bearerToken);
  if (identity === undefined) throw new HttpError('UNAUTHENTICATED', 'the token is not valid');
  return identity;
}

async function readTls(tls: NonNullable<ServerConfig['tls']>) {
  const read = async (path: string, field: string) => {
    try {
      return await readFile(path);
    } catch (cause) {
      throw new ConfigError([{ path: `tls.${field}`, message: `cannot read ${path}` }], { cause });
    }
  };
  return { cert: await read(tls.certPath, 'certPath'), key: await read(tls.keyPath, 'keyPath') };
}
