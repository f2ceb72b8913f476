/**
 * The sync server's configuration, parsed once at the edge with a schema and passed inward as
 * one typed object (STYLE 19). The caller turns env and CLI flags into a plain object; this
 * file only checks and fills defaults, so nothing below it ever reads `process.env`.
 * Unknown keys are refused: a typo in a config file must fail loudly, not fall back silently.
 */
import { z } from 'zod';
import { clusterSchema } from '../cluster/config.js';
import { ConfigError } from './errors.js';
import { RATE_CLASSES, type RateClass } from './rate-limiter.js';

const port = z.number().int().min(0).max(65_535);
const host = z.string().min(1);
const positiveInt = z.number().int().positive();

/** A token bucket: `burst` requests at once, refilled at `perMinute`. */
const bucket = z.object({ burst: positiveInt, perMinute: positiveInt }).strict();

/**
 * Defaults per route class: a person registers or signs in a few times a day, but a shared
 * address (an office NAT) carries many people, so bursts stay generous and the refill slow.
 */
const DEFAULT_RATE_LIMITS: Readonly<Record<RateClass, { burst: number; perMinute: number }>> = {
  register: { burst: 10, perMinute: 5 },
  'sign-in': { burst: 20, perMinute: 20 },
  'add-device': { burst: 10, perMinute: 5 },
  join: { burst: 60, perMinute: 60 },
};

const rateLimits = z
  .object(
    Object.fromEntries(
      RATE_CLASSES.map((name) => [name, bucket.default(DEFAULT_RATE_LIMITS[name])]),
    ) as Record<RateClass, z.ZodDefault<typeof bucket>>,
  )
  .strict()
  .default({});

const schema = z
  .object({
    /** HTTP(S) and WebSocket port; 0 picks an ephemeral one (tests). */
    port: port.default(8080),
    host: host.default('127.0.0.1'),
    /** SQLite file, authority key and anything else the server keeps on disk. */
    dataDir: z.string().min(1).default('./data'),
    /** `postgres://` or `postgresql://` selects PostgreSQL; absent: SQLite in `dataDir`. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    stun: z
      .object({
        port: port.default(3478),
        host: host.default('127.0.0.1'),
        /** The host nodes are told to reach STUN at, when the bind host is not it (0.0.0.0). */
        publicHost: host.optional(),
        /**
         * A second responder on the same host (0 picks a port). A device asks both from one UDP
         * socket and compares the mapped addresses to tell a cone NAT from a symmetric one.
         */
        alternatePort: port.optional(),
      })
      .strict()
      .default({}),
    /** coturn with REST API credentials; absent: no TURN servers are offered. */
    turn: z
      .object({
        secret: z.string().min(1),
        host,
        port: port.min(1).default(3478),
        tlsPort: port.min(1).optional(),
        /** Lifetime of the credentials handed out, in seconds. */
        ttl: positiveInt.default(86_400),
      })
      .strict()
      .optional(),
    /** The WebAuthn relying party (for the auth routes). */
    rp: z
      .object({
        id: host,
        name: z.string().min(1),
        origins: z.array(z.string().url()).min(1),
      })
      .strict(),
    /** PEM files; when given the server speaks HTTPS and WSS. */
    tls: z
      .object({ certPath: z.string().min(1), keyPath: z.string().min(1) })
      .strict()
      .optional(),
    rateLimits,
    /** Buckets kept in memory at most; the least recently used go first. */
    rateLimitMaxBuckets: positiveInt.default(10_000),
    /** Largest request body accepted, in bytes. */
    bodyLimitBytes: positiveInt.default(64 * 1024),
    /** Bytes queued for one WebSocket before the client counts as too slow and is closed. */
    wsMaxBufferedBytes: positiveInt.default(1024 * 1024),
    /** The certificate authority's Ed25519 key file; default `<dataDir>/authority.key`. */
    authorityKeyPath: z.string().min(1).optional(),
    /** How long a device certificate handed out at join is valid, in seconds. */
    certificateTtlSeconds: positiveInt.default(7 * 86_400),
    /**
     * Take the client address from the last `X-Forwarded-For` entry (set by a reverse proxy).
     * Only behind a proxy that sets it: otherwise clients choose their own rate-limit bucket.
     */
    trustProxy: z.boolean().default(false),
    /**
     * The built web UI (apps/web/dist) to serve at `/` for browser nodes; absent: no page,
     * every path outside the API is a JSON 404.
     */
    webDir: z.string().min(1).optional(),
    /** Cluster mode (several instances on one PostgreSQL and NATS); absent: one instance. */
    cluster: clusterSchema.optional(),
    /** Structured (pino, JSON lines on stdout) log level; requests are logged at `debug`. */
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .strict();

/** The parsed configuration: every default filled, every value checked. */
export type ServerConfig = z.output<typeof schema>;
/** What the caller may pass: defaults may be left out. */
export type ServerConfigInput = z.input<typeof schema>;

/** Parse and check `input`; throws a `ConfigError` naming every bad field. */
export function parseServerConfig(input: unknown): ServerConfig {
  const result = schema.safeParse(input);
  if (result.success) {
    if (result.data.cluster !== undefined && result.data.databaseUrl === undefined) {
      throw new ConfigError([
        { path: 'databaseUrl', message: 'cluster mode needs PostgreSQL (a postgres:// URL)' },
      ]);
    }
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    { cause: result.error },
  );
}
