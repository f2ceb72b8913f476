/**
 * Typed errors of cluster mode. Callers branch on `code`; `cause` is always passed on.
 */
export type ClusterErrorCode =
  /** Cluster mode needs PostgreSQL (`databaseUrl`). */
  | 'NEEDS_POSTGRES'
  /** A cluster secret in the database and this instance's file disagree. */
  | 'SECRET_MISMATCH'
  /** A message on the cluster bus did not decode (another version, or garbage). */
  | 'BAD_ENVELOPE'
  /** The lease table could not be read or written. */
  | 'LEASE_STORE';

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isClusterError = (err: unknown, code?: ClusterErrorCode): err is ClusterError =>
  err instanceof ClusterError && (code === undefined || err.code === code);
