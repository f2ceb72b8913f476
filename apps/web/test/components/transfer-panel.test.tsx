// @vitest-environment jsdom
/**
 * The transfer panel over a fake backend and a test clock: progress, speed and ETA from the
 * download events, cancel and retry calling the backend, the history with "show in folder",
 * and uploads shown while they move.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend, DownloadRecord } from '../../src/api/backend.js';
import { BackendError } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { TransferPanel } from '../../src/transfers/TransferPanel.js';
import { useTransfers } from '../../src/transfers/use-transfers.js';
import { type FakeBackend, fakeBackend } from './fake-backend.js';

afterEach(cleanup);

const POOL = 'pool-1';
const SIZE = 10_000_000;
let now = 1_000_000;
const clock = () => now;

function Harness({ backend, onReveal }: { backend: Backend; onReveal: (path: string) => void }) {
  const transfers = useTransfers(backend, clock);
  return <TransferPanel transfers={transfers} onReveal={onReveal} />;
}

const progress = (
  bytes: number,
  state: 'hashes' | 'data' | 'done' | 'failed' | 'cancelled' = 'data',
) => ({
  type: 'download' as const,
  pool: POOL,
  file: 'f1',
  name: 'movie.mkv',
  received: 0,
  chunks: 40,
  bytes,
  size: SIZE,
  state,
});

const record = (over: Partial<DownloadRecord>): DownloadRecord => ({
  file: 'f0',
  pool: POOL,
  name: 'old.pdf',
  size: 2_500_000,
  folder: null,
  path: '/home/ann/Downloads/old.pdf',
  sha256: 'ab'.repeat(32),
  startedAt: now - 10_000,
  finishedAt: now - 5000,
  state: 'done',
  error: null,
  auto: false,
  ...over,
});

function setup(): { backend: FakeBackend; onReveal: ReturnType<typeof vi.fn> } {
  const backend = fakeBackend();
  backend.downloadHistory.mockResolvedValue([record({})]);
  backend.cancelDownload.mockResolvedValue(undefined);
  backend.download.mockResolvedValue({ path: '/d/movie.mkv', sha256: 'cd'.repeat(32) });
  const onReveal = vi.fn();
  render(
    <BackendContext.Provider value={backend}>
      <Harness backend={backend} onReveal={onReveal} />
    </BackendContext.Provider>,
  );
  return { backend, onReveal };
}

const at = (ms: number, fn: () => void) =>
  act(() => {
    now = ms;
    fn();
  });

describe('transfer panel', () => {
  it('shows progress, speed and time left, and cancels', async () => {
    const { backend } = setup();
    expect(screen.getByText('Nothing is moving.')).toBeTruthy();
    at(1_000_000, () => backend.emit(progress(0)));
    at(1_001_000, () => backend.emit(progress(2_000_000)));

    const row = screen.getByTestId('transfer-f1');
    const bar = within(row).getByRole('progressbar', { name: 'movie.mkv progress' });
    expect(bar.getAttribute('value')).toBe('20');
    expect(row.textContent).toContain('20 % · 2.0 MB of 10.0 MB');
    // 2 MB in one second: 2 MB/s, 8 MB left: 4 s.
    expect(row.textContent).toContain('2.0 MB/s');
    expect(row.textContent).toContain('4 s left');

    // A faster second: the speed is smoothed (0.7 · 2 + 0.3 · 6 = 3.2 MB/s).
    at(1_002_000, () => backend.emit(progress(8_000_000)));
    expect(row.textContent).toContain('3.2 MB/s');
    expect(row.textContent).toContain('1 s left');

    fireEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(backend.cancelDownload).toHaveBeenCalledWith(POOL, 'f1'));
    at(1_002_500, () => backend.emit(progress(8_000_000, 'cancelled')));
    expect(within(row).queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(row.textContent).toContain('cancelled');
    expect(row.textContent).not.toContain('left');
  });

  it('retries a failed download and shows it done at 100 %', async () => {
    const { backend } = setup();
    at(2_000_000, () => backend.emit(progress(1_000_000)));
    at(2_000_500, () =>
      backend.emit({ ...progress(1_000_000, 'failed'), error: 'no seeder answered' }),
    );
    const row = screen.getByTestId('transfer-f1');
    expect(row.textContent).toContain('failed');
    expect(within(row).getByRole('alert').textContent).toBe('no seeder answered');

    fireEvent.click(within(row).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(backend.download).toHaveBeenCalledWith(POOL, 'f1'));
    // Starting afresh: no old speed carried over.
    expect(row.textContent).toContain('starting');
    at(2_001_000, () => backend.emit(progress(5_000_000)));
    at(2_002_000, () => backend.emit({ ...progress(SIZE, 'done'), path: '/d/movie.mkv' }));
    expect(within(row).getByRole('progressbar').getAttribute('value')).toBe('100');
    expect(row.textContent).toContain('100 %');
    expect(row.textContent).toContain('done');
    expect(within(row).queryByRole('button', { name: 'Retry' })).toBeNull();
    // Each ended download reads the history again.
    await waitFor(() =>
      expect(backend.downloadHistory.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
  });

  it('says why a retry was refused', async () => {
    const { backend } = setup();
    at(3_000_000, () => backend.emit(progress(0, 'cancelled')));
    backend.download.mockRejectedValueOnce(
      new BackendError('NOT_JOINED', 'this device is not in that pool'),
    );
    const row = screen.getByTestId('transfer-f1');
    fireEvent.click(within(row).getByRole('button', { name: 'Retry' }));
    expect((await within(row).findByRole('alert')).textContent).toBe(
      'this device is not in that pool',
    );
  });

  it('lists the history and reveals a finished file', async () => {
    const { backend, onReveal } = setup();
    backend.downloadHistory.mockResolvedValue([
      record({}),
      record({
        file: 'f9',
        name: 'broken.iso',
        state: 'failed',
        path: null,
        error: 'hash mismatch',
      }),
    ]);
    const first = await screen.findByText('old.pdf');
    const item = first.closest('li') as HTMLElement;
    expect(item.textContent).toContain('2.5 MB · done');
    fireEvent.click(within(item).getByRole('button', { name: 'Show in folder' }));
    expect(onReveal).toHaveBeenCalledWith('/home/ann/Downloads/old.pdf');
    // A new end reads the history again: the failed one appears, without a reveal button.
    at(4_000_000, () => backend.emit(progress(0, 'failed')));
    const failed = (await screen.findByText('broken.iso')).closest('li') as HTMLElement;
    expect(failed.textContent).toContain('hash mismatch');
    expect(within(failed).queryByRole('button', { name: 'Show in folder' })).toBeNull();
  });

  it('shows an upload while it moves, then as idle', async () => {
    const { backend } = setup();
    const upload = (bytes: number) => ({
      type: 'upload' as const,
      pool: POOL,
      file: 'u1',
      name: 'song.flac',
      size: 30_000_000,
      chunks: 10,
      bytes,
    });
    at(5_000_000, () => backend.emit(upload(1_000_000)));
    at(5_000_500, () => backend.emit(upload(2_000_000)));
    const row = screen.getByTestId('transfer-u1');
    expect(row.textContent).toContain('↑ song.flac');
    expect(row.textContent).toContain('sending');
    expect(row.textContent).toContain('2.0 MB sent');
    expect(row.textContent).toContain('2.0 MB/s');
    expect(within(row).queryByRole('progressbar')).toBeNull();
    // Three quiet seconds later it is idle (the panel looks again every second).
    now = 5_004_000;
    await waitFor(() => expect(row.textContent).toContain('idle'), { timeout: 3000 });
  });
});
