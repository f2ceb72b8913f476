/**
 * Invites of a pool: make one (its link shown once, with a copy button and a QR code), list
 * them with their uses, revoke.
 */
import { QRCodeSVG } from 'qrcode.react';
import { useCallback, useEffect, useState } from 'react';
import type { Invite, InviteView, Pool } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { formatTime } from '../format.js';

export function InvitesPanel({ pool }: { pool: Pool }) {
  const backend = useBackend();
  const [made, setMade] = useState<Invite | null>(null);
  const [list, setList] = useState<InviteView[]>([]);
  const [uses, setUses] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    backend.invites(pool.id).then(setList, (err: unknown) => setError(err));
  }, [backend, pool.id]);
  useEffect(load, [load]);

  const create = async () => {
    setError(null);
    setCopied(false);
    try {
      setMade(await backend.createInvite(pool.id, { uses }));
      load();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: string) => {
    try {
      await backend.revokeInvite(pool.id, id);
      load();
    } catch (err) {
      setError(err);
    }
  };
  const copy = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section className="invites" aria-label="Invites">
      <h3>Invite people</h3>
      <div className="row">
        <label>
          Uses{' '}
          <input
            type="number"
            min={1}
            max={1000}
            value={uses}
            onChange={(e) => setUses(Math.max(1, Number(e.target.value) || 1))}
          />
        </label>
        <button type="button" onClick={() => void create()}>
          Create invite link
        </button>
      </div>
      <ErrorText error={error} />
      {made ? (
        <div className="invite-made">
          <input
            readOnly
            value={made.link}
            aria-label="Invite link"
            data-testid="invite-link"
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <QRCodeSVG value={made.link} size={128} aria-label="Invite QR code" />
          <p className="muted">Shown once: the server keeps only a fingerprint of it.</p>
        </div>
      ) : null}
      {list.length > 0 ? (
        <ul className="invite-list">
          {list.map((i) => (
            <li key={i.id}>
              <span className="muted">
                {i.uses}/{i.maxUses} used · expires {formatTime(i.expiresAt)}
                {i.revoked ? ' · revoked' : ''}
              </span>
              {!i.revoked ? (
                <button type="button" className="link danger" onClick={() => void revoke(i.id)}>
                  Revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
