/**
 * Cluster mode settings ([CL1]): several instances share one PostgreSQL database and one NATS
 * server. Present only when a NATS URL is configured; the server refuses to start in cluster
 * mode on SQLite, because a lease in one instance's file would fence nobody.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const clusterSchema = z
  .object({
    /** `nats://host:port` (comma-separated for several servers). */
    natsUrl: z.string().regex(/^nats:\/\/[^\s]+$/, 'must start with nats://'),
    /** Unique per instance: names its NATS subject, its leases and its metrics. */
    instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only'),
    /** Where devices reach this instance (advertised in GET /v1/cluster). */
    publicUrl: z.string().url(),
    /** A pool lease lasts this long unless renewed; the owner's death is noticed after it. */
    leaseTtlMs: positiveInt.default(4_000),
    /** How often the owner renews its leases (well under `leaseTtlMs`). */
    renewEveryMs: positiveInt.default(1_000),
    /** How often an instance announces itself on NATS. */
    presenceEveryMs: positiveInt.default(500),
    /** An instance not heard from for this long counts as gone: its forwarded sessions end. */
    presenceTimeoutMs: positiveInt.default(3_000),
    /** How long a join may wait for a pool's owner (e.g. for a dead owner's lease to expire). */
    joinWaitMs: positiveInt.default(8_000),
    /** Subject prefix, so several clusters can share one NATS server. */
    subjectPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('poolnet'),
  })
  .strict()
  .refine((c) => c.renewEveryMs * 2 < c.leaseTtlMs, {
    message: 'renewEveryMs must be under half of leaseTtlMs',
  });

export type ClusterConfig = z.output<typeof clusterSchema>;
