/**
 * Errors of this package besides the engine's `LinkError`. `open` and links throw or report
 * `LinkError` (the engine branches on its code); a `SelectError` rides along as its `cause`
 * and says why:
 *
 * - `INVALID_OPTIONS`: options that cannot work, refused when the transport is built.
 * - `NO_COMMON_TRANSPORT`: the far end offers none of our transports (its hello says so).
 * - `ALL_FAILED`: every transport tried failed; `failures` has each one's error.
 * - `NO_CHOICE`: the responder never heard which transport the initiator kept, or the one it
 *   kept failed here.
 * - `TIMEOUT`: no transport was kept within `openTimeoutMs`.
 * - `PEER_SILENT`: after a carrier dropped, the far end did not answer the re-open in time.
 * - `PEER_CLOSED`: the far end gave the link up (a `bye`) while it was (re)opening.
 */
export type SelectErrorCode =
  | 'INVALID_OPTIONS'
  | 'NO_COMMON_TRANSPORT'
  | 'ALL_FAILED'
  | 'NO_CHOICE'
  | 'TIMEOUT'
  | 'PEER_SILENT'
  | 'PEER_CLOSED';

/** One transport's failure within an attempt. */
export interface TransportFailure {
  readonly kind: string;
  readonly error: unknown;
}

export class SelectError extends Error {
  override readonly name = 'SelectError';
  /** With `ALL_FAILED`: why each transport failed, in preference order. */
  readonly failures: readonly TransportFailure[];

  constructor(
    readonly code: SelectErrorCode,
    message: string,
    options?: { cause?: unknown; failures?: readonly TransportFailure[] },
  ) {
    super(message, options);
    this.failures = options?.failures ?? [];
  }
}
