/**
 * Errors of this package besides the engine's `LinkError` (which links and `open` throw):
 * options that cannot work are refused when the transport is built, with a stable code.
 */
export type WebRtcOptionsErrorCode = 'INVALID_OPTIONS';

export class WebRtcOptionsError extends Error {
  override readonly name = 'WebRtcOptionsError';
  constructor(
    readonly code: WebRtcOptionsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
