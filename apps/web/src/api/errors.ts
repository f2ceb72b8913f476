/** Errors as people read them: the backend's message, never a stack or an internal name. */
import { BackendError } from './backend.js';

export function describeError(err: unknown): string {
  if (err instanceof BackendError) return err.message;
  if (err instanceof TypeError) return 'The connection failed. Check that Poolnet is running.';
  return 'Something went wrong. Try again.';
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof BackendError ? err.code : undefined;
}
