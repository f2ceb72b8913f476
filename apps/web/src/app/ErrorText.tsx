/** A readable error line (role=alert so screen readers announce it). */
import { describeError } from '../api/errors.js';

export function ErrorText({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}
