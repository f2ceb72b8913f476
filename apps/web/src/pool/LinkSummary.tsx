/**
 * The info bar's view of this device's links in the pool: how many are open and how many of
 * them a TURN relay carries ("3 links · 1 relayed"), and a short hint when the device's NAT
 * check says peers can reach it only through a relay (symmetric NAT, UDP blocked).
 */
import type { Status } from '../api/backend.js';

type Link = Status['pools'][number]['links'][number];

const HINTS: Partial<Record<NonNullable<Status['nat']>['type'], string>> = {
  symmetric: 'Symmetric NAT: some peers connect through a relay',
  blocked: 'UDP blocked: peers connect through a relay',
};

export function LinkSummary({ links, nat }: { links: readonly Link[]; nat: Status['nat'] }) {
  const open = links.filter((l) => l.open);
  const relayed = open.filter((l) => l.relayed === true).length;
  const hint = nat ? HINTS[nat.type] : undefined;
  if (open.length === 0 && !hint) return null;
  return (
    <>
      {open.length > 0 ? (
        <span className="muted link-count" data-testid="link-count">
          {open.length} link{open.length === 1 ? '' : 's'}
          {relayed > 0 ? ` · ${relayed} relayed` : ''}
        </span>
      ) : null}
      {hint ? (
        <span className="nat-hint" title={nat?.message} data-testid="nat-hint">
          ⚠ {hint}
        </span>
      ) : null}
    </>
  );
}
