/**
 * Who is in the pool: each user with their devices (type, online), and for this device's
 * links the transport carrying them and whether a TURN relay is in the way. The owner can
 * remove a member and change the pool's limits; everyone can invite.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Member, Pool, Status } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { InvitesPanel } from '../pools/InvitesPanel.js';
import { LinkNote } from './LinkNote.js';
import { PoolSettingsPanel } from './PoolSettingsPanel.js';

export function PeopleTab({
  pool,
  status,
  me,
}: {
  pool: Pool;
  status: Status | null;
  me: string | null;
}) {
  const backend = useBackend();
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    backend.members(pool.id).then(
      (m) => {
        setMembers(m);
        setError(null);
      },
      (err: unknown) => setError(err),
    );
  }, [backend, pool.id]);
  useEffect(load, [load]);

  const links = status?.pools.find((p) => p.id === pool.id)?.links ?? [];
  const remove = async (member: Member) => {
    if (!window.confirm(`Remove ${member.displayName} from ${pool.name}?`)) return;
    try {
      await backend.removeMember(pool.id, member.userId);
      load();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="people-tab" aria-label="People">
      <ErrorText error={error} />
      <ul className="member-list">
        {members.map((m) => {
          const online = m.devices.filter((d) => d.online).length;
          return (
            <li key={m.userId} className="member">
              <div className="member-head">
                <span className={`dot ${online > 0 ? 'on' : 'off'}`} aria-hidden="true" />
                <strong>{m.displayName}</strong>
                <span className="muted">
                  {' '}
                  {m.role === 'owner' ? '(owner) ' : ''}
                  {online > 0 ? `${online} device${online === 1 ? '' : 's'} online` : 'offline'}
                </span>
                {pool.role === 'owner' && m.userId !== me ? (
                  <button type="button" className="link danger" onClick={() => void remove(m)}>
                    Remove
                  </button>
                ) : null}
              </div>
              <ul className="device-list">
                {m.devices.map((d) => {
                  const link = d.online ? links.find((l) => l.peer === d.id) : undefined;
                  return (
                    <li key={d.id} data-testid={`device-${d.id}`}>
                      {d.name}{' '}
                      <span className="muted">
                        {d.type} · {d.online ? 'online' : 'offline'}
                        <LinkNote link={link} />
                      </span>
                    </li>
                  );
                })}
              </ul>
            </li>
          );
        })}
      </ul>
      <InvitesPanel pool={pool} />
      {pool.role === 'owner' && !pool.isHome ? <PoolSettingsPanel pool={pool} /> : null}
    </section>
  );
}
