// @vitest-environment jsdom
/**
 * "Share a folder…" in the Files tab. Desktop: a path typed in a small form goes to the
 * backend as it is (the daemon shares it in place), the shared folder is announced and the
 * list read again; the daemon's refusal (no such folder, unreadable, empty) is shown as it
 * said it and the form stays open to fix the path. Browser: the folder picker's files go to
 * the backend with their paths inside the folder; a refusal is shown. A folder dropped on the
 * pool view is read through `webkitGetAsEntry` into the same files with the same paths.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, type FolderView, type SharedFolder } from '../../src/api/backend.js';
import { splitDrop } from '../../src/pool/dropped-folders.js';
import { type FakeBackend, fakeBackend } from './fake-backend.js';
import { renderFilesTab } from './files-tab-harness.js';

afterEach(cleanup);

const POOL = 'pool-1';

const folderView = (name: string, fileCount: number): FolderView => ({
  id: 'folder-1',
  pool: POOL,
  name,
  origin: 'dev-ann',
  mine: true,
  fileCount,
  size: 1234,
  haveCount: fileCount,
  downloadingCount: 0,
  seedersOnline: 1,
});

function setup(mode: 'desktop' | 'browser'): { backend: FakeBackend; refresh: () => void } {
  const backend = fakeBackend();
  (backend as { mode: string }).mode = mode;
  const refresh = vi.fn();
  renderFilesTab(backend, POOL, refresh);
  return { backend, refresh };
}

/** A File as a `webkitdirectory` pick gives it (jsdom leaves `webkitRelativePath` empty). */
function picked(path: string, text: string): File {
  const file = new File([text], path.split('/').at(-1) as string);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('share a folder, desktop', () => {
  it('sends the typed path, announces the folder and reads the list again', async () => {
    const user = userEvent.setup();
    const { backend, refresh } = setup('desktop');
    const shared: SharedFolder = {
      folder: folderView('Trip', 3),
      skipped: [{ path: '/home/ann/Trip/link', reason: 'a symbolic link' }],
    };
    backend.shareFolder.mockResolvedValue(shared);

    await user.click(screen.getByRole('button', { name: 'Share a folder…' }));
    const field = screen.getByRole('textbox', { name: 'Folder on this computer' });
    expect(document.activeElement).toBe(field);
    expect(screen.getByRole('button', { name: 'Share folder' })).toHaveProperty('disabled', true);
    await user.type(field, '  /home/ann/Trip {Enter}');

    await waitFor(() => expect(backend.shareFolder).toHaveBeenCalledTimes(1));
    expect(backend.shareFolder).toHaveBeenCalledWith(POOL, { path: '/home/ann/Trip' });
    await screen.findByText('Shared Trip: 3 files, 1 left out.');
    expect(refresh).toHaveBeenCalled();
    // Done: the form closes.
    expect(screen.queryByRole('textbox', { name: 'Folder on this computer' })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("shows the daemon's refusal readably and keeps the path to fix it", async () => {
    const user = userEvent.setup();
    const { backend, refresh } = setup('desktop');
    backend.shareFolder.mockRejectedValueOnce(
      new BackendError('BAD_REQUEST', 'cannot read /home/ann/Tirp: no such file or folder', 400),
    );
    backend.shareFolder.mockRejectedValueOnce(
      new BackendError('BAD_REQUEST', '/home/ann/Empty is an empty folder: nothing to offer', 400),
    );

    await user.click(screen.getByRole('button', { name: 'Share a folder…' }));
    const field = screen.getByRole('textbox', { name: 'Folder on this computer' });
    await user.type(field, '/home/ann/Tirp');
    await user.click(screen.getByRole('button', { name: 'Share folder' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'cannot read /home/ann/Tirp: no such file or folder',
    );
    expect((field as HTMLInputElement).value).toBe('/home/ann/Tirp');

    await user.clear(field);
    await user.type(field, '/home/ann/Empty{Enter}');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        '/home/ann/Empty is an empty folder: nothing to offer',
      ),
    );
    expect(backend.shareFolder).toHaveBeenLastCalledWith(POOL, { path: '/home/ann/Empty' });
    expect(refresh).not.toHaveBeenCalled();

    // Escape closes the form (the focus back on its button); the error goes with it.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('textbox', { name: 'Folder on this computer' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Share a folder…' }));
    await user.click(screen.getByRole('button', { name: 'Share a folder…' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('share a folder, browser', () => {
  it("offers the picker's files with their paths inside the folder", async () => {
    const { backend, refresh } = setup('browser');
    backend.shareFolder.mockResolvedValue({ folder: folderView('Trip', 2), skipped: [] });
    const input = screen.getByTestId('folder-input') as HTMLInputElement;
    expect(input.hasAttribute('webkitdirectory')).toBe(true);
    const opened = vi.fn();
    input.addEventListener('click', opened);
    fireEvent.click(screen.getByRole('button', { name: 'Share a folder…' }));
    expect(opened).toHaveBeenCalledTimes(1);

    const files = [picked('Trip/a.txt', 'a'), picked('Trip/day 1/b.txt', 'bb')];
    fireEvent.change(input, { target: { files } });

    await screen.findByText('Shared Trip: 2 files.');
    expect(backend.shareFolder).toHaveBeenCalledWith(POOL, {
      files: [
        { file: files[0], path: 'Trip/a.txt' },
        { file: files[1], path: 'Trip/day 1/b.txt' },
      ],
    });
    expect(refresh).toHaveBeenCalled();
  });

  it('says so when the folder picked is empty, and shows a refusal readably', async () => {
    const { backend } = setup('browser');
    fireEvent.change(screen.getByTestId('folder-input'), { target: { files: [] } });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'That folder holds no file to share.',
    );
    expect(backend.shareFolder).not.toHaveBeenCalled();

    backend.shareFolder.mockRejectedValue(
      new BackendError('NOT_JOINED', 'not connected to this pool yet', 409),
    );
    fireEvent.change(screen.getByTestId('folder-input'), {
      target: { files: [picked('Trip/a.txt', 'a')] },
    });
    expect((await screen.findByRole('alert')).textContent).toBe('not connected to this pool yet');
    await act(async () => undefined);
    expect(screen.getByRole('button', { name: 'Share a folder…' })).toHaveProperty(
      'disabled',
      false,
    );
  });
});

describe('a dropped folder', () => {
  /** `webkitGetAsEntry` entries as Chromium gives them: a reader answering in batches. */
  function dir(name: string, children: unknown[]) {
    return {
      name,
      isDirectory: true,
      isFile: false,
      createReader() {
        const batches = [children.slice(0, 1), children.slice(1), []];
        return { readEntries: (ok: (e: unknown[]) => void) => ok(batches.shift() ?? []) };
      },
    };
  }
  const file = (f: File) => ({
    name: f.name,
    isDirectory: false,
    isFile: true,
    file: (ok: (x: File) => void) => ok(f),
  });

  it('is read into files with their paths; a plain file stays a file', async () => {
    const a = new File(['a'], 'a.txt');
    const b = new File(['b'], 'b.txt');
    const loose = new File(['c'], 'loose.txt');
    const tree = dir('Trip', [file(a), dir('day 1', [file(b)])]);
    const item = (entry: unknown, asFile: File | null) => ({
      kind: 'file',
      webkitGetAsEntry: () => entry,
      getAsFile: () => asFile,
    });
    const drop = {
      items: [item(tree, null), item(file(loose), loose)],
      files: [],
    } as unknown as DataTransfer;

    const dropped = splitDrop(drop);
    expect(dropped.files).toEqual([loose]);
    expect(dropped.folders).toHaveLength(1);
    expect(await dropped.folders[0]).toEqual([
      { file: a, path: 'Trip/a.txt' },
      { file: b, path: 'Trip/day 1/b.txt' },
    ]);
  });
});
