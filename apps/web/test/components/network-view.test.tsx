// @vitest-environment jsdom
/**
 * What the UI says about this device's network (issue 8): the NAT check in Settings (warning
 * style when only a TURN relay reaches the device), the pool info bar's link count with the
 * relayed ones and its hint behind a symmetric NAT, and each online device's transport and
 * "relayed via TURN" in the People tab.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, Member, Pool, Status } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { PeopleTab } from '../../src/pool/PeopleTab.js';
import { PoolView } from '../../src/pool/PoolView.js';
import { SettingsScreen } from '../../src/settings/SettingsScreen.js';
import { TransfersContext, useTransfers } from '../../src/transfers/use-transfers.js';
import { type FakeBackend, fakeBackend } from './fake-backend.js';

afterEach(cleanup);

type Nat = NonNullable<Status['nat']>;
const nat = (over: Partial<Nat>): Nat => ({
  type: 'cone',
  publicAddress: '203.0.113.7:40000',
  directReachable: true,
  message: 'Behind a cone NAT: direct links work.',
  checkedAt: Date.now(),
  ...over,
});
const SYMMETRIC = nat({
  type: 'symmetric',
  directReachable: false,
  message: 'Behind a symmetric NAT: devices behind other NATs reach this one through TURN.',
});

const POOL: Pool = {
  id: 'pool-1',
  name: 'Garden',
  isHome: false,
  ownerId: 'user-ann',
  role: 'owner',
  members: 2,
  online: 4,
  unread: 0,
  settings: null,
};

const MEMBERS: Member[] = [
  {
    userId: 'user-ann',
    displayName: 'Ann',
    role: 'owner',
    devices: [{ id: 'dev-ann', name: 'Ann laptop', type: 'desktop', online: true }],
  },
  {
    userId: 'user-ben',
    displayName: 'Ben',
    role: 'member',
    devices: [
      { id: 'dev-ben-1', name: 'Ben phone', type: 'browser', online: true },
      { id: 'dev-ben-2', name: 'Ben desk', type: 'desktop', online: true },
      { id: 'dev-ben-3', name: 'Ben old', type: 'desktop', online: false },
    ],
  },
];

const status = (natStatus: Nat | null): Status => ({
  deviceId: 'dev-ann',
  userId: 'user-ann',
  displayName: 'Ann',
  deviceName: 'Ann laptop',
  server: { url: 'http://127.0.0.1:1', connected: true },
  dataDir: '/tmp/ann',
  nat: natStatus,
  pools: [
    {
      id: 'pool-1',
      name: 'Garden',
      joined: true,
      position: { path: [0], slot: 0 },
      links: [
        { peer: 'dev-ben-1', transport: 'webrtc', open: true, relayed: true },
        { peer: 'dev-ben-2', transport: 'webrtc', open: true, relayed: false },
        { peer: 'dev-carol', transport: 'tcp', open: true },
        // A link still opening, and one to a device the server lists offline.
        { peer: 'dev-dan', transport: 'webrtc', open: false },
        { peer: 'dev-ben-3', transport: 'tcp', open: false },
      ],
    },
  ],
});

function backendFor(): FakeBackend {
  const backend = fakeBackend();
  backend.members.mockResolvedValue(MEMBERS);
  backend.invites.mockResolvedValue([]);
  backend.messages.mockResolvedValue({ messages: [], hasOlder: false, hasNewer: false });
  backend.files.mockResolvedValue({ files: [], folders: [] });
  backend.downloadHistory.mockResolvedValue([]);
  backend.settings.mockResolvedValue({
    displayName: 'Ann',
    deviceName: 'Ann laptop',
    downloadsDir: '/home/ann/Downloads',
    cacheSizeBytes: 0,
    autoFetchImagesBytes: 0,
  });
  backend.devices.mockResolvedValue([]);
  return backend;
}

function WithTransfers({ backend, children }: { backend: Backend; children: ReactNode }) {
  const transfers = useTransfers(backend);
  return <TransfersContext.Provider value={transfers}>{children}</TransfersContext.Provider>;
}

function renderWith(backend: Backend, ui: ReactNode) {
  return render(
    <BackendContext.Provider value={backend}>
      <WithTransfers backend={backend}>{ui}</WithTransfers>
    </BackendContext.Provider>,
  );
}

const noop = () => undefined;

describe('NAT check in Settings', () => {
  it('warns when only a TURN relay reaches this device', async () => {
    renderWith(backendFor(), <SettingsScreen nat={SYMMETRIC} onSignedOut={noop} onSaved={noop} />);
    const check = await screen.findByTestId('nat-check');
    expect(check.className).toContain('warning');
    expect(check.textContent).toContain('Symmetric NAT');
    expect(check.textContent).toContain(SYMMETRIC.message);
    expect(check.textContent).toContain('through a TURN relay');
    expect(check.textContent).toContain('203.0.113.7:40000');
  });

  it('reads the status again on open, so a check finished since shows', async () => {
    const backend = backendFor();
    backend.status.mockResolvedValue(status(SYMMETRIC));
    renderWith(backend, <SettingsScreen nat={null} onSignedOut={noop} onSaved={noop} />);
    expect((await screen.findByTestId('nat-check')).className).toContain('warning');
  });

  it('is calm when direct links work, and says so while the check has not run', async () => {
    renderWith(backendFor(), <SettingsScreen nat={nat({})} onSignedOut={noop} onSaved={noop} />);
    const check = await screen.findByTestId('nat-check');
    expect(check.className).toContain('ok');
    expect(check.className).not.toContain('warning');
    expect(check.textContent).toContain('Cone NAT');
    expect(check.textContent).not.toContain('TURN relay');
    cleanup();
    renderWith(backendFor(), <SettingsScreen onSignedOut={noop} onSaved={noop} />);
    expect(screen.getByText('The network check has not finished yet.')).toBeTruthy();
    expect(screen.queryByTestId('nat-check')).toBeNull();
  });
});

describe('links in the pool info bar', () => {
  const view = (s: Status) => (
    <PoolView pool={POOL} tab="chat" status={s} onTab={noop} onRenamed={noop} onBack={noop} />
  );

  it('counts the open links and the relayed ones, with a hint behind a symmetric NAT', async () => {
    const backend = backendFor();
    renderWith(backend, view(status(SYMMETRIC)));
    await waitFor(() => expect(backend.messages).toHaveBeenCalled());
    expect(screen.getByTestId('link-count').textContent).toBe('3 links · 1 relayed');
    const hint = screen.getByTestId('nat-hint');
    expect(hint.textContent).toContain('Symmetric NAT');
    expect(hint.getAttribute('title')).toBe(SYMMETRIC.message);
  });

  it('has no hint and no relayed part when everything is direct', async () => {
    const backend = backendFor();
    const s = status(nat({}));
    const pool = s.pools[0] as Status['pools'][number];
    pool.links = pool.links.map((l) => ({ ...l, relayed: false }));
    renderWith(backend, view(s));
    await waitFor(() => expect(backend.messages).toHaveBeenCalled());
    expect(screen.getByTestId('link-count').textContent).toBe('3 links');
    expect(screen.queryByTestId('nat-hint')).toBeNull();
  });

  it('hints when UDP is blocked even before any link is up', async () => {
    const backend = backendFor();
    const s = status(nat({ type: 'blocked', directReachable: false, message: 'UDP blocked.' }));
    (s.pools[0] as Status['pools'][number]).links = [];
    renderWith(backend, view(s));
    await waitFor(() => expect(backend.messages).toHaveBeenCalled());
    expect(screen.queryByTestId('link-count')).toBeNull();
    expect(screen.getByTestId('nat-hint').textContent).toContain('UDP blocked');
  });
});

describe('links in the People tab', () => {
  it('shows the transport per online device and which link is relayed via TURN', async () => {
    renderWith(backendFor(), <PeopleTab pool={POOL} status={status(SYMMETRIC)} me="user-ann" />);
    const relayed = await screen.findByTestId('device-dev-ben-1');
    expect(relayed.textContent).toContain('webrtc · relayed via TURN');
    const direct = screen.getByTestId('device-dev-ben-2');
    expect(direct.textContent).toContain('webrtc');
    expect(direct.textContent).not.toContain('relayed');
    // Offline: no link line even though a stale one is listed.
    const offline = screen.getByTestId('device-dev-ben-3');
    expect(offline.textContent).toContain('offline');
    expect(offline.textContent).not.toContain('tcp');
    // This device has no link to itself.
    expect(within(screen.getByTestId('device-dev-ann')).queryByText(/webrtc|tcp/)).toBeNull();
  });
});
