/**
 * Start: ask who served the page (`/app-config.json`), make the backend for that mode and
 * render. The browser node is a lazy import, so desktop mode never loads the engine.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadAppConfig } from './api/app-config.js';
import type { Backend } from './api/backend.js';
import { BackendError } from './api/backend.js';
import { DaemonBackend } from './api/daemon-backend.js';
import { takeDesktopToken } from './api/desktop-token.js';
import { describeError } from './api/errors.js';
import { App } from './app/App.js';
import './styles.css';

async function makeBackend(): Promise<Backend> {
  const config = await loadAppConfig();
  if (config.mode === 'browser') {
    const { createBrowserBackend } = await import('./node/index.js');
    return createBrowserBackend(config.serverUrl);
  }
  const token = takeDesktopToken();
  if (token === null) {
    throw new BackendError(
      'NO_TOKEN',
      'This page needs the key to your Poolnet daemon: open the address `poolnet up` printed (it ends with #token=…).',
    );
  }
  return new DaemonBackend({ token });
}

const root = createRoot(document.getElementById('root') as HTMLElement);
makeBackend().then(
  (backend) =>
    root.render(
      <StrictMode>
        <App backend={backend} />
      </StrictMode>,
    ),
  (err: unknown) =>
    root.render(
      <div className="screen">
        <h1>Poolnet</h1>
        <p className="error" role="alert">
          {describeError(err)}
        </p>
      </div>,
    ),
);
