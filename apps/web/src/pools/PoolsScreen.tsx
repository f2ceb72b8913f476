/** The pool list (unread, online) with create, join by link, and leave. */
import { useState } from 'react';
import type { Pool } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { useAction } from '../app/use-action.js';

export function PoolsScreen({
  pools,
  onOpen,
  onChanged,
}: {
  pools: Pool[];
  onOpen: (pool: Pool) => void;
  onChanged: () => Promise<void>;
}) {
  const backend = useBackend();
  const [name, setName] = useState('');
  const [link, setLink] = useState('');
  const create = useAction(async () => {
    const pool = await backend.createPool(name.trim());
    setName('');
    await onChanged();
    onOpen(pool);
  });
  const join = useAction(async () => {
    const pool = await backend.joinPool(link.trim());
    setLink('');
    await onChanged();
    onOpen(pool);
  });
  const leave = useAction(async (pool: Pool) => {
    if (!window.confirm(`Leave ${pool.name}? Its history stays on this device.`)) return;
    await backend.leavePool(pool.id);
    await onChanged();
  });

  return (
    <div className="screen pools-screen">
      <h1>Pools</h1>
      {pools.length === 0 ? (
        <p className="muted">No pools yet: create one or join with an invite link.</p>
      ) : null}
      <ul className="pool-list">
        {pools.map((p) => (
          <li key={p.id} className="pool-row">
            <button type="button" className="pool-open" onClick={() => onOpen(p)}>
              <span className="name">
                {p.name}
                {p.isHome ? <span className="muted"> (your devices)</span> : null}
              </span>
              <span className="muted">
                {p.online} online · {p.members} member{p.members === 1 ? '' : 's'}
              </span>
              {p.unread > 0 ? (
                <span className="badge" aria-label={`${p.unread} unread`}>
                  {p.unread}
                </span>
              ) : null}
            </button>
            {p.role !== 'owner' && !p.isHome ? (
              <button type="button" className="link danger" onClick={() => void leave.run(p)}>
                Leave
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorText error={leave.error} />
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void create.run();
        }}
      >
        <h2>New pool</h2>
        <div className="row">
          <input
            aria-label="Pool name"
            placeholder="Family, Band, Trip…"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
          />
          <button type="submit" disabled={create.busy || name.trim() === ''}>
            Create
          </button>
        </div>
        <ErrorText error={create.error} />
      </form>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (link.trim()) void join.run();
        }}
      >
        <h2>Join a pool</h2>
        <div className="row">
          <input
            aria-label="Invite link"
            placeholder="Paste an invite link"
            value={link}
            onChange={(e) => setLink(e.target.value)}
          />
          <button type="submit" disabled={join.busy || link.trim() === ''}>
            Join
          </button>
        </div>
        <ErrorText error={join.error} />
      </form>
    </div>
  );
}
