/**
 * Typed errors of the engine. Every error has a stable `code`; callers branch on it, never
 * on `message`. `cause` is always passed on.
 */
export type LinkErrorCode = 'LINK_CLOSED' | 'MESSAGE_TOO_LARGE' | 'ABORTED' | 'OPEN_FAILED';

export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: LinkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type EngineErrorCode =
  | 'NOT_JOINED'
  | 'NO_ROUTE'
  | 'TEXT_TOO_LONG'
  | 'INVALID_ARGUMENT'
  | 'BAD_SIGNATURE'
  | 'BAD_CERTIFICATE'
  | 'NO_SEEDER'
  | 'CLOSED';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
