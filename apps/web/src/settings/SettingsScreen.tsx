/**
 * Settings: names, downloads folder (desktop), relay cache, image auto-fetch; this account's
 * devices (rename this one, revoke others); this device's network (NAT check); add a device;
 * sign out.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Device, Settings, Status } from '../api/backend.js';
import { useBackend } from '../app/backend-context.js';
import { ErrorText } from '../app/ErrorText.js';
import { useAction } from '../app/use-action.js';
import { formatTime } from '../format.js';
import { DeviceCodePanel } from '../welcome/DeviceCodePanel.js';
import { NatCheck } from './NatCheck.js';

/** Sizes are entered in MiB, as `poolnet up --cache-size 256MiB` reads them. */
const MB = 1024 * 1024;

export function SettingsScreen({
  nat: natAtOpen = null,
  onSignedOut,
  onSaved,
}: {
  /** This device's NAT check (`Status.nat`) as the app last read it; read again on open. */
  nat?: Status['nat'];
  onSignedOut: () => void;
  onSaved: () => void;
}) {
  const backend = useBackend();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [draft, setDraft] = useState({
    displayName: '',
    deviceName: '',
    downloadsDir: '',
    cacheMb: '0',
    autoMb: '0',
  });
  const [devices, setDevices] = useState<Device[]>([]);
  const [saved, setSaved] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [nat, setNat] = useState<Status['nat']>(natAtOpen);

  // The check may have finished since the app last read the status: read it again.
  useEffect(() => {
    backend.status().then(
      (s) => setNat((known) => s.nat ?? known),
      () => undefined,
    );
  }, [backend]);

  const load = useCallback(async () => {
    try {
      const s = await backend.settings();
      setSettings(s);
      setDraft({
        displayName: s.displayName ?? '',
        deviceName: s.deviceName ?? '',
        downloadsDir: s.downloadsDir ?? '',
        cacheMb: String(Math.round(s.cacheSizeBytes / MB)),
        autoMb: String(Math.round(s.autoFetchImagesBytes / MB)),
      });
      setDevices(await backend.devices());
    } catch (err) {
      setLoadError(err);
    }
  }, [backend]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = useAction(async () => {
    if (!settings) return;
    setSaved(false);
    const patch: Partial<Settings> = {};
    if (draft.displayName.trim() !== (settings.displayName ?? ''))
      patch.displayName = draft.displayName.trim();
    if (draft.deviceName.trim() !== (settings.deviceName ?? ''))
      patch.deviceName = draft.deviceName.trim();
    if (settings.downloadsDir !== null && draft.downloadsDir.trim() !== settings.downloadsDir) {
      patch.downloadsDir = draft.downloadsDir.trim();
    }
    const cache = Math.round(Number(draft.cacheMb) * MB);
    const auto = Math.round(Number(draft.autoMb) * MB);
    if (!Number.isFinite(cache) || !Number.isFinite(auto) || cache < 0 || auto < 0) {
      throw new Error('sizes');
    }
    if (cache !== settings.cacheSizeBytes) patch.cacheSizeBytes = cache;
    if (auto !== settings.autoFetchImagesBytes) patch.autoFetchImagesBytes = auto;
    const next = await backend.updateSettings(patch);
    setSettings(next);
    setSaved(true);
    onSaved();
    setDevices(await backend.devices());
  });
  const revoke = useAction(async (device: Device) => {
    if (!window.confirm(`Revoke ${device.name}? It will be signed out of every pool.`)) return;
    await backend.revokeDevice(device.id);
    setDevices(await backend.devices());
  });
  const signOut = useAction(async () => {
    await backend.signOut();
    onSignedOut();
  });

  const field = (key: keyof typeof draft) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [key]: e.target.value })),
  });

  return (
    <div className="screen settings">
      <h1>Settings</h1>
      <ErrorText error={loadError} />
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <label>
          Display name
          <input {...field('displayName')} maxLength={64} />
        </label>
        <label>
          This device’s name
          <input {...field('deviceName')} maxLength={100} />
        </label>
        {settings?.downloadsDir !== null ? (
          <label>
            Downloads folder
            <input {...field('downloadsDir')} />
          </label>
        ) : null}
        <label>
          Relay cache per pool (MiB)
          <input type="number" min={0} step={1} {...field('cacheMb')} />
        </label>
        <label>
          Fetch images on arrival up to (MiB, 0 = never)
          <input type="number" min={0} step={1} {...field('autoMb')} />
        </label>
        <button type="submit" disabled={save.busy || !settings}>
          Save
        </button>
        {saved ? <span className="muted"> Saved.</span> : null}
        <ErrorText
          error={save.error instanceof Error && save.error.message === 'sizes' ? null : save.error}
        />
        {save.error instanceof Error && save.error.message === 'sizes' ? (
          <p className="error" role="alert">
            Sizes must be numbers of MiB, 0 or more.
          </p>
        ) : null}
      </form>
      <section className="card" aria-label="Devices">
        <h2>Your devices</h2>
        <ul className="device-list">
          {devices.map((d) => (
            <li key={d.id}>
              <strong>{d.name}</strong> <span className="muted">{d.type}</span>
              {d.current ? <span className="muted"> (this device)</span> : null}
              {d.revokedAt !== null ? (
                <span className="muted"> · revoked</span>
              ) : (
                <span className="muted"> · last seen {formatTime(d.lastSeenAt)}</span>
              )}
              {!d.current && d.revokedAt === null ? (
                <button type="button" className="link danger" onClick={() => void revoke.run(d)}>
                  Revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        <ErrorText error={revoke.error} />
      </section>
      <NatCheck nat={nat} />
      <DeviceCodePanel />
      <section className="card">
        <button type="button" className="danger" onClick={() => void signOut.run()}>
          Sign out of this device
        </button>
        <ErrorText error={signOut.error} />
      </section>
    </div>
  );
}
