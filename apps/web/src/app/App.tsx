/**
 * The app shell: who is signed in (status), the pool list kept fresh by events, the screen
 * for the current path, the transfers of this device, and the reconnect banner.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Backend, Pool, Status } from '../api/backend.js';
import { PoolView } from '../pool/PoolView.js';
import { JoinPrompt } from '../pools/JoinPrompt.js';
import { PoolsScreen } from '../pools/PoolsScreen.js';
import { SettingsScreen } from '../settings/SettingsScreen.js';
import { TransferPanel } from '../transfers/TransferPanel.js';
import { TransfersContext, useTransfers } from '../transfers/use-transfers.js';
import { WelcomeScreen } from '../welcome/WelcomeScreen.js';
import { BackendContext } from './backend-context.js';
import { ErrorText } from './ErrorText.js';
import { ReconnectBanner } from './ReconnectBanner.js';
import { useBackendEvents } from './use-backend-events.js';
import { useRoute } from './use-route.js';

export function App({ backend }: { backend: Backend }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);
  const [pools, setPools] = useState<Pool[]>([]);
  const [daemonUp, setDaemonUp] = useState(true);
  const [route, navigate] = useRoute();
  const transfers = useTransfers(backend);

  const refreshStatus = useCallback(async () => {
    try {
      const s = await backend.status();
      setStatus(s);
      setStatusError(null);
      if (s.deviceId !== null) setPools(await backend.pools());
    } catch (err) {
      setStatusError(err);
    }
  }, [backend]);

  useEffect(() => {
    void refreshStatus();
  }, [refreshStatus]);

  // Pools and links change with events; read again, at most a few times a second.
  const [stale, setStale] = useState(false);
  useEffect(() => {
    if (!stale) return;
    const timer = setTimeout(() => {
      setStale(false);
      void refreshStatus();
    }, 400);
    return () => clearTimeout(timer);
  }, [stale, refreshStatus]);

  // Others joining or leaving a pool elsewhere send this device no event (only its own links
  // do): read the online counts again every few seconds while signed in.
  const signedInNow = status !== null && status.deviceId !== null;
  useEffect(() => {
    if (!signedInNow) return;
    const timer = setInterval(() => setStale(true), 5_000);
    return () => clearInterval(timer);
  }, [signedInNow]);

  useBackendEvents(
    backend,
    (event) => {
      if (event.type === 'pool' || event.type === 'link' || event.type === 'server') setStale(true);
      if (event.type === 'message' && !event.message.mine) setStale(true);
    },
    (up) => {
      setDaemonUp(up);
      if (up) setStale(true);
    },
  );

  const signedIn = status !== null && status.deviceId !== null;
  const currentPool = route.name === 'pool' ? pools.find((p) => p.id === route.pool) : undefined;

  let body;
  if (status === null) {
    body = statusError ? (
      <div className="screen">
        <ErrorText error={statusError} />
        <button type="button" onClick={() => void refreshStatus()}>
          Try again
        </button>
      </div>
    ) : (
      <p className="screen muted">Starting…</p>
    );
  } else if (!signedIn) {
    body = <WelcomeScreen onSignedIn={() => void refreshStatus()} />;
  } else if (route.name === 'join') {
    body = (
      <JoinPrompt
        link={route.link}
        onJoined={(pool) => {
          void refreshStatus();
          navigate({ name: 'pool', pool: pool.id, tab: 'chat' });
        }}
        onCancel={() => navigate({ name: 'pools' })}
      />
    );
  } else if (route.name === 'pool' && currentPool) {
    body = (
      <PoolView
        key={currentPool.id}
        pool={currentPool}
        tab={route.tab}
        status={status}
        onTab={(tab) => navigate({ name: 'pool', pool: currentPool.id, tab })}
        onRenamed={() => void refreshStatus()}
        onBack={() => navigate({ name: 'pools' })}
      />
    );
  } else if (route.name === 'settings') {
    body = (
      <SettingsScreen
        nat={status.nat ?? null}
        onSignedOut={() => void refreshStatus()}
        onSaved={() => void refreshStatus()}
      />
    );
  } else if (route.name === 'transfers') {
    body = (
      <div className="screen">
        <TransferPanel
          transfers={transfers}
          {...(backend.reveal
            ? {
                onReveal: (path: string) =>
                  void backend
                    .reveal?.(path)
                    .catch((err: unknown) =>
                      window.alert(err instanceof Error ? err.message : String(err)),
                    ),
              }
            : {})}
        />
      </div>
    );
  } else {
    body = (
      <PoolsScreen
        pools={pools}
        onOpen={(pool) => navigate({ name: 'pool', pool: pool.id, tab: 'chat' })}
        onChanged={refreshStatus}
      />
    );
  }

  return (
    <BackendContext.Provider value={backend}>
      <TransfersContext.Provider value={transfers}>
        <div className="app">
          <header className="app-bar">
            <a
              href="/"
              className="brand"
              onClick={(e) => {
                e.preventDefault();
                navigate({ name: 'pools' });
              }}
            >
              Poolnet
            </a>
            {signedIn ? (
              <nav aria-label="Main">
                <button
                  type="button"
                  className={route.name === 'pools' || route.name === 'pool' ? 'active' : ''}
                  onClick={() => navigate({ name: 'pools' })}
                >
                  Pools
                </button>
                <button
                  type="button"
                  className={route.name === 'transfers' ? 'active' : ''}
                  onClick={() => navigate({ name: 'transfers' })}
                >
                  Transfers
                  {transfers.moving > 0 ? (
                    <span className="badge" aria-label={`${transfers.moving} moving`}>
                      {transfers.moving}
                    </span>
                  ) : null}
                </button>
                <button
                  type="button"
                  className={route.name === 'settings' ? 'active' : ''}
                  onClick={() => navigate({ name: 'settings' })}
                >
                  Settings
                </button>
              </nav>
            ) : null}
            {status?.displayName ? <span className="muted me">{status.displayName}</span> : null}
          </header>
          <ReconnectBanner
            daemonUp={daemonUp && statusError === null}
            serverUp={status?.server.connected ?? true}
            hasPools={pools.length > 0 && (status?.pools.length ?? 0) > 0}
            mode={backend.mode}
          />
          <main>{body}</main>
        </div>
      </TransfersContext.Provider>
    </BackendContext.Provider>
  );
}
