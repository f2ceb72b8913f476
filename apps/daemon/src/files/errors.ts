/**
 * Typed errors of the daemon's file storage (offered files, downloads, the relay cache).
 * Callers branch on `code`, never on `message`; `cause` (the system error) is always passed on.
 */
export type FileErrorCode =
  /** The file (or directory) is not there. */
  | 'MISSING'
  /** An offered file's size, mtime or identity differ from what was offered: it was edited. */
  | 'CHANGED'
  /** A finished download's bytes do not hash to the offered SHA-256; the partial is discarded. */
  | 'HASH_MISMATCH'
  /** Chunk bytes on disk no longer match their hash; those chunks were marked missing again. */
  | 'BAD_CHUNK'
  /** The operating system refused a read, write, sync or rename (disk full, permissions…). */
  | 'IO'
  /** A value handed in breaks the rules (an id, an index, a name, a manifest, a closed file). */
  | 'INVALID_ARGUMENT';

export class FileError extends Error {
  override readonly name = 'FileError';
  constructor(
    readonly code: FileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isFileError = (err: unknown, code?: FileErrorCode): err is FileError =>
  err instanceof FileError && (code === undefined || err.code === code);

/** The system error code (`ENOENT`…) of `err`, if it has one. */
export const errnoOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;

/**
 * Any error thrown while `what` ran, as a `FileError`: file errors pass unchanged, a missing
 * path is `MISSING`, anything else the system reported is `IO`.
 */
export function toFileError(err: unknown, what: string): FileError {
  if (err instanceof FileError) return err;
  const errno = errnoOf(err);
  if (errno === 'ENOENT') return new FileError('MISSING', `${what}: not found`, { cause: err });
  return new FileError('IO', `${what} failed${errno ? ` (${errno})` : ''}`, { cause: err });
}
