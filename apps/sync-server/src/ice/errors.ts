/**
 * Typed errors of the ICE subsystem (STUN responder, TURN credentials, ICE server list).
 * Callers branch on `code`, never on `message`; `cause` is always passed on.
 */

/** Why a STUN message could not be read or written. */
export type StunErrorCode =
  /** Too short, bad length field, attribute past the end, bad attribute value. */
  | 'MALFORMED'
  /** Well-formed bytes, but not STUN: top bits set or wrong magic cookie ([ICE2]). */
  | 'NOT_STUN'
  /** A FINGERPRINT attribute that does not match the message, or is not the last one ([ICE4]). */
  | 'BAD_FINGERPRINT'
  /** A value the encoder refuses to write (bad address, too long SOFTWARE, wrong id size). */
  | 'INVALID_ARGUMENT';

/**
 * The one error the STUN codec throws. Parsing untrusted bytes throws nothing else ([ICE1]),
 * so the responder can drop a datagram on `code` alone.
 */
export class StunError extends Error {
  override readonly name = 'StunError';
  constructor(
    readonly code: StunErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why the STUN responder or the ICE configuration refused to do something. */
export type IceErrorCode =
  /** A typed settings object with a value out of range (port, host, ttl, secret). */
  | 'INVALID_CONFIG'
  /** An argument out of range at call time (a user id the TURN username cannot carry). */
  | 'INVALID_ARGUMENT'
  /** `start()` called on a responder that is already listening. */
  | 'ALREADY_STARTED'
  /** The UDP socket could not be bound. */
  | 'BIND_FAILED';

export class IceError extends Error {
  override readonly name = 'IceError';
  constructor(
    readonly code: IceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
