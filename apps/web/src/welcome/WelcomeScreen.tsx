/**
 * First run: register (a name for you and one for this device), sign in again, or link this
 * device to an account with a code shown on another device.
 */
import { useState } from 'react';
import type { Account } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { useAction } from '../app/use-action.js';

type Mode = 'register' | 'signin' | 'link';

export function WelcomeScreen({ onSignedIn }: { onSignedIn: (account: Account) => void }) {
  const backend = useBackend();
  const [mode, setMode] = useState<Mode>('register');
  const [name, setName] = useState('');
  const [device, setDevice] = useState(backend.mode === 'desktop' ? 'My computer' : 'This browser');
  const [code, setCode] = useState('');
  const register = useAction(async () =>
    onSignedIn(await backend.register(name.trim(), device.trim())),
  );
  const signIn = useAction(async () => onSignedIn(await backend.signIn()));
  const link = useAction(async () =>
    onSignedIn(await backend.linkDevice(code.trim(), device.trim())),
  );

  return (
    <div className="screen welcome">
      <h1>Welcome to Poolnet</h1>
      <p className="muted">Chat and share files directly between your devices and your people.</p>
      <div className="tabs" role="tablist">
        {(
          [
            ['register', 'New here'],
            ['signin', 'Sign in'],
            ['link', 'Link this device'],
          ] as const
        ).map(([m, label]) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? 'active' : ''}
            onClick={() => setMode(m)}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === 'register' ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void register.run();
          }}
        >
          <label>
            Your name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={100}
              autoFocus
            />
          </label>
          <label>
            This device
            <input
              value={device}
              onChange={(e) => setDevice(e.target.value)}
              required
              maxLength={100}
            />
          </label>
          <p className="muted">
            {backend.mode === 'desktop'
              ? 'This computer keeps a passkey for you; nothing to remember.'
              : 'Your browser will ask to create a passkey.'}
          </p>
          <button
            type="submit"
            disabled={register.busy || name.trim() === '' || device.trim() === ''}
          >
            {register.busy ? 'Creating…' : 'Create my account'}
          </button>
          <ErrorText error={register.error} />
        </form>
      ) : null}
      {mode === 'signin' ? (
        <div className="card">
          <p>
            Sign in with the passkey this {backend.mode === 'desktop' ? 'computer' : 'browser'}{' '}
            keeps.
          </p>
          <button type="button" onClick={() => void signIn.run()} disabled={signIn.busy}>
            Sign in
          </button>
          <ErrorText error={signIn.error} />
        </div>
      ) : null}
      {mode === 'link' ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void link.run();
          }}
        >
          <label>
            Code from your other device
            <input
              value={code}
              onChange={(e) => setCode(e.target.value.toUpperCase())}
              placeholder="K7PD-QX2M"
              required
              autoComplete="off"
            />
          </label>
          <label>
            This device
            <input
              value={device}
              onChange={(e) => setDevice(e.target.value)}
              required
              maxLength={100}
            />
          </label>
          <button type="submit" disabled={link.busy || code.trim() === ''}>
            Link
          </button>
          <ErrorText error={link.error} />
        </form>
      ) : null}
    </div>
  );
}
