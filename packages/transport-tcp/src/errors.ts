/**
 * Errors of this package besides the engine's `LinkError`. `open` and links throw `LinkError`
 * (the engine branches on its code); a `TcpError` rides along as its `cause` and says why:
 *
 * - `INVALID_OPTIONS`: options that cannot work, refused when the transport is built.
 * - `BAD_SIGNAL`: a signalling blob that is not a valid TCP signal, or comes out of turn.
 * - `FINGERPRINT_MISMATCH`: a TLS peer whose certificate is not the one pinned by signalling.
 * - `BAD_FRAME`: the byte stream broke the framing (unknown tag, oversized frame, bad hello).
 * - `UNREACHABLE`: no candidate answered, in either direction.
 * - `LISTEN_FAILED`: the listening socket could not be bound.
 */
export type TcpErrorCode =
  | 'INVALID_OPTIONS'
  | 'BAD_SIGNAL'
  | 'FINGERPRINT_MISMATCH'
  | 'BAD_FRAME'
  | 'UNREACHABLE'
  | 'LISTEN_FAILED';

export class TcpError extends Error {
  override readonly name = 'TcpError';
  constructor(
    readonly code: TcpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
