/**
 * An invite link opened in the page (`/join#TOKEN`): join on a click, never by itself;
 * Escape is "not now".
 */
import type { Pool } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { useAction } from '../app/use-action.js';

export function JoinPrompt({
  link,
  onJoined,
  onCancel,
}: {
  link: string;
  onJoined: (pool: Pool) => void;
  onCancel: () => void;
}) {
  const backend = useBackend();
  const join = useAction(async () => onJoined(await backend.joinPool(link)));
  return (
    <div
      className="screen card"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <h1>Join a pool</h1>
      <p>You opened an invite link. Join the pool it is for?</p>
      <div className="row">
        <button type="button" onClick={() => void join.run()} disabled={join.busy} autoFocus>
          Join
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Not now
        </button>
      </div>
      <ErrorText error={join.error} />
    </div>
  );
}
