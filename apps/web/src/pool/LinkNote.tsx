/**
 * How this device is linked to one of a member's devices: the transport, "relayed via TURN"
 * when a relay carries it, and "opening" while it is not up yet. Nothing without a link.
 */
import type { Status } from '../api/backend.js';

type Link = Status['pools'][number]['links'][number];

export function LinkNote({ link }: { link: Link | undefined }) {
  if (!link) return null;
  return (
    <span className={link.relayed ? 'link-note relayed' : 'link-note'}>
      {' · '}
      {link.transport}
      {link.relayed ? ' · relayed via TURN' : ''}
      {link.open ? '' : ' · opening'}
    </span>
  );
}
