/**
 * The owner's pool limits (`POST /v1/pools/settings`): the longest message and the largest
 * file members may share. The fields open with the pool's current limits (from the pool
 * list) and a save sends only what changed; a field left empty stays as it is (the case for
 * a server that does not report the limits). The answer after saving shows all of them.
 * A disclosure: the button opens it, Escape closes it.
 */
import { MAX_TEXT_BYTES } from '@poolnet/protocol';
import { type FormEvent, useId, useRef, useState } from 'react';
import type { Pool, PoolSettings } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { formatBytes } from '../format.js';

const MIB = 1024 * 1024;
/** The server's ceiling for a file limit (1 TiB). */
const MAX_FILE_MIB = 1024 * 1024;

/** A whole number in [1, max], or null when the field is empty; throws a readable message. */
function limit(raw: string, what: string, max: number): number | null {
  const value = raw.trim();
  if (value === '') return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new Error(`${what} must be a whole number from 1 to ${max}.`);
  }
  return n;
}

/** A file limit as whole MiB for the field; empty when it is not a whole number of MiB. */
const mibField = (bytes: number): string => (bytes % MIB === 0 ? String(bytes / MIB) : '');

const limitsText = (s: PoolSettings): string =>
  `messages up to ${s.maxTextBytes} bytes, files up to ${
    s.maxFileBytes % MIB === 0 ? `${s.maxFileBytes / MIB} MiB` : formatBytes(s.maxFileBytes)
  }`;

export function PoolSettingsPanel({ pool }: { pool: Pool }) {
  const backend = useBackend();
  const id = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [fileMib, setFileMib] = useState('');
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<PoolSettings | null>(null);
  const current = saved ?? pool.settings;

  const toggleOpen = () => {
    if (!open) {
      setText(current ? String(current.maxTextBytes) : '');
      setFileMib(current ? mibField(current.maxFileBytes) : '');
    }
    setOpen(!open);
  };

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setInvalid(null);
    setError(null);
    setSaved(null);
    const change: Partial<PoolSettings> = {};
    try {
      const maxText = limit(text, 'The longest message', MAX_TEXT_BYTES);
      const maxFile = limit(fileMib, 'The largest file', MAX_FILE_MIB);
      if (maxText !== null && maxText !== current?.maxTextBytes) change.maxTextBytes = maxText;
      if (maxFile !== null && maxFile * MIB !== current?.maxFileBytes) {
        change.maxFileBytes = maxFile * MIB;
      }
      if (maxText === null && maxFile === null) throw new Error('Enter at least one limit.');
      if (Object.keys(change).length === 0) throw new Error('These are the current limits.');
    } catch (err) {
      setInvalid((err as Error).message);
      return;
    }
    setBusy(true);
    try {
      const now = (await backend.updatePoolSettings(pool.id, change)).settings;
      setSaved(now);
      setText(String(now.maxTextBytes));
      setFileMib(mibField(now.maxFileBytes));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="pool-settings" aria-label="Pool settings">
      <h3>
        <button
          ref={toggle}
          type="button"
          className="link"
          aria-expanded={open}
          aria-controls={id}
          onClick={toggleOpen}
        >
          {open ? '▾' : '▸'} Pool limits
        </button>
      </h3>
      {open ? (
        <form
          id={id}
          className="card"
          // Checked here, so the sentence is the same in every browser and read out.
          noValidate
          onSubmit={(e) => void save(e)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          <p className="muted">
            {pool.settings && !saved ? `Now: ${limitsText(pool.settings)}. ` : null}
            Leave a field empty to keep its current value.
          </p>
          <label>
            Longest message (bytes, up to {MAX_TEXT_BYTES})
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_TEXT_BYTES}
              placeholder={String(MAX_TEXT_BYTES)}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
          <label>
            Largest file (MiB)
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_FILE_MIB}
              placeholder="4096"
              value={fileMib}
              onChange={(e) => setFileMib(e.target.value)}
            />
          </label>
          <div className="row">
            {/* Not `disabled` while saving: that would drop the focus (and Escape) to the page. */}
            <button type="submit" aria-disabled={busy}>
              Save limits
            </button>
            <button type="button" className="link" onClick={close}>
              Close
            </button>
          </div>
          {invalid ? (
            <p className="error" role="alert">
              {invalid}
            </p>
          ) : null}
          <ErrorText error={error} />
          {saved ? (
            <p className="muted" role="status">
              Saved: {limitsText(saved)}.
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
