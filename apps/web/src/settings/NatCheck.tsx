/**
 * What this device learnt about its network at start (issue 8): the NAT type and the daemon's
 * own sentence for it. A device only reachable through TURN says so plainly (warning style)
 * instead of leaving people to wonder why transfers are slow or links fail.
 */
import type { Status } from '../api/backend.js';
import { formatTime } from '../format.js';

type Nat = NonNullable<Status['nat']>;

const TYPE_NAMES: Record<Nat['type'], string> = {
  none: 'No NAT (public address)',
  cone: 'Cone NAT',
  symmetric: 'Symmetric NAT',
  blocked: 'UDP blocked',
  unknown: 'Unknown',
};

export function NatCheck({ nat }: { nat: Status['nat'] }) {
  return (
    <section className="card nat-check" aria-labelledby="nat-check-title">
      <h2 id="nat-check-title">Network</h2>
      {nat ? (
        <div className={nat.directReachable ? 'nat ok' : 'nat warning'} data-testid="nat-check">
          <p>
            <strong>{TYPE_NAMES[nat.type]}</strong>
            {nat.publicAddress ? (
              <span className="muted"> · seen as {nat.publicAddress}</span>
            ) : null}
          </p>
          <p>{nat.message}</p>
          {!nat.directReachable ? (
            <p>Other devices reach this one through a TURN relay: slower, but it works.</p>
          ) : null}
          <p className="muted">Checked {formatTime(nat.checkedAt)}</p>
        </div>
      ) : (
        <p className="muted">The network check has not finished yet.</p>
      )}
    </section>
  );
}
