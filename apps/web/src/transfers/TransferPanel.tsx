/**
 * The transfer panel: what moves now (progress, speed, ETA, cancel), what ended in this
 * session (retry), and the download history (reveal a finished file on desktop).
 */
import type { DownloadRecord } from '../api/backend.js';
import { formatBytes, formatDuration, formatSpeed, formatTime } from '../format.js';
import { type Transfer, etaSeconds, isMoving } from './transfer.js';
import type { Transfers } from './use-transfers.js';

export function TransferPanel({
  transfers,
  onReveal,
}: {
  transfers: Transfers;
  onReveal?: (path: string) => void;
}) {
  const { list, history, now } = transfers;
  return (
    <section className="panel transfers" aria-label="Transfers">
      <h2>Transfers</h2>
      {list.length === 0 ? (
        <p className="muted">Nothing is moving.</p>
      ) : (
        <ul className="transfer-list">
          {list.map((t) => (
            <TransferRow
              key={t.key}
              transfer={t}
              moving={isMoving(t, now)}
              error={transfers.errors.get(t.key) ?? t.error}
              onCancel={() => void transfers.cancel(t)}
              onRetry={() => void transfers.retry(t)}
            />
          ))}
        </ul>
      )}
      <h3>Download history</h3>
      {history.length === 0 ? (
        <p className="muted">No downloads yet.</p>
      ) : (
        <ul className="history-list">
          {history.map((r) => (
            <HistoryRow
              key={`${r.pool}:${r.file}:${r.finishedAt}`}
              record={r}
              onReveal={onReveal}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function TransferRow({
  transfer: t,
  moving,
  error,
  onCancel,
  onRetry,
}: {
  transfer: Transfer;
  moving: boolean;
  error: string | undefined;
  onCancel: () => void;
  onRetry: () => void;
}) {
  const percent = t.size > 0 ? Math.min(100, Math.floor((t.bytes / t.size) * 100)) : 100;
  const eta = etaSeconds(t);
  const arrow = t.direction === 'download' ? '↓' : '↑';
  return (
    <li className={`transfer ${t.state}`} data-testid={`transfer-${t.file}`}>
      <div className="transfer-head">
        <span className="name">
          {arrow} {t.name}
        </span>
        <span className="state">{stateLabel(t, moving)}</span>
      </div>
      {t.direction === 'download' ? (
        <progress max={100} value={percent} aria-label={`${t.name} progress`} />
      ) : null}
      <div className="transfer-figures muted">
        {t.direction === 'download' ? (
          <span>
            {percent} % · {formatBytes(t.bytes)} of {formatBytes(t.size)}
          </span>
        ) : (
          <span>{formatBytes(t.bytes)} sent</span>
        )}
        {moving && t.speed > 0 ? <span> · {formatSpeed(t.speed)}</span> : null}
        {moving && eta !== null ? <span> · {formatDuration(eta)} left</span> : null}
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        {t.direction === 'download' && moving ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        {t.direction === 'download' && (t.state === 'failed' || t.state === 'cancelled') ? (
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        ) : null}
      </div>
    </li>
  );
}

function stateLabel(t: Transfer, moving: boolean): string {
  if (t.direction === 'upload') return moving ? 'sending' : 'idle';
  switch (t.state) {
    case 'hashes':
      return 'starting';
    case 'data':
      return 'downloading';
    case 'done':
      return 'done';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}

function HistoryRow({
  record: r,
  onReveal,
}: {
  record: DownloadRecord;
  onReveal: ((path: string) => void) | undefined;
}) {
  return (
    <li className={`history ${r.state}`}>
      <span className="name">{r.name}</span>
      <span className="muted">
        {' '}
        {formatBytes(r.size)} · {r.state}
        {r.auto ? ' (auto)' : ''} · {formatTime(r.finishedAt)}
      </span>
      {r.error ? <span className="error"> {r.error}</span> : null}
      {r.state === 'done' && r.path && onReveal ? (
        <button type="button" className="link" onClick={() => onReveal(r.path as string)}>
          Show in folder
        </button>
      ) : null}
    </li>
  );
}
