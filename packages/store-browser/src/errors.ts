/**
 * Typed errors of the browser store. Callers branch on `code`; `cause` (the DOMException
 * IndexedDB raised) is always passed on.
 */
export type BrowserStoreErrorCode =
  /** This page has no IndexedDB (a private window of some browsers, a worker without it). */
  | 'UNAVAILABLE'
  /** The database is open in a newer version in another tab, or an upgrade was blocked. */
  | 'BLOCKED'
  /** A value handed to the store breaks its rules. */
  | 'INVALID_ARGUMENT'
  /** Anything else IndexedDB reported (quota, abort…); see `cause`. */
  | 'INTERNAL';

export class BrowserStoreError extends Error {
  constructor(
    readonly code: BrowserStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BrowserStoreError';
  }
}
