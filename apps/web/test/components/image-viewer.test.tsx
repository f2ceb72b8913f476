// @vitest-environment jsdom
/**
 * The full image view: opened from the inline image, "Copy image" puts a PNG on the
 * clipboard (and says so), a refused or missing clipboard gives a readable sentence, "Save"
 * downloads the bytes under the file's name, and the dialog keeps focus inside, closes on
 * Escape and gives focus back to the image.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileView } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { ImageOffer } from '../../src/pool/ImageOffer.js';
import { type FakeBackend, fakeBackend } from './fake-backend.js';

const PNG = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: 'image/png' });

const FILE: FileView = {
  id: 'img-1',
  pool: 'pool-1',
  name: 'photo.png',
  size: PNG.size,
  origin: 'dev-ann',
  seedersOnline: 1,
  have: true,
  mine: false,
  downloading: false,
  kind: 'image',
  mime: 'image/png',
  width: 240,
  height: 160,
  preview: null,
  folder: null,
  relativePath: 'photo.png',
};

/** What the page put on the clipboard, as the test's ClipboardItem saw it. */
class FakeClipboardItem {
  constructor(readonly items: Record<string, Blob | Promise<Blob>>) {}
}

let write: ReturnType<typeof vi.fn>;
const urls: string[] = [];

beforeEach(() => {
  urls.length = 0;
  write = vi.fn(async () => undefined);
  vi.stubGlobal('ClipboardItem', FakeClipboardItem);
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { write } });
  URL.createObjectURL = vi.fn(() => {
    urls.push(`blob:test/${urls.length}`);
    return urls[urls.length - 1] as string;
  });
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function open(): Promise<{ backend: FakeBackend; opener: HTMLElement }> {
  const backend = fakeBackend();
  backend.fileBlob.mockResolvedValue(PNG);
  render(
    <BackendContext.Provider value={backend}>
      <ImageOffer file={FILE} onDownload={() => undefined} />
    </BackendContext.Provider>,
  );
  const opener = await screen.findByRole('button', { name: 'View photo.png' });
  await userEvent.click(opener);
  await screen.findByRole('dialog', { name: 'photo.png' });
  return { backend, opener };
}

describe('image view', () => {
  it('copies the image to the clipboard as PNG', async () => {
    await open();
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    await screen.findByText('Image copied.');
    expect(write).toHaveBeenCalledTimes(1);
    const [[item]] = write.mock.calls[0] as [[FakeClipboardItem]];
    expect(Object.keys(item.items)).toEqual(['image/png']);
    expect(await item.items['image/png']).toBe(PNG);
  });

  it('says so readably when the browser refuses or cannot copy images', async () => {
    write.mockRejectedValue(Object.assign(new Error('denied'), { name: 'NotAllowedError' }));
    await open();
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /did not allow copying to the clipboard.*or use Save/,
    );
    expect(screen.queryByText('Image copied.')).toBeNull();

    cleanup();
    vi.stubGlobal('ClipboardItem', undefined);
    await open();
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This browser cannot copy images. Use Save instead.',
    );
  });

  it('saves the bytes under the file name', async () => {
    const clicked: Array<{ href: string; download: string }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.href, download: this.download });
    });
    await open();
    const made = vi.mocked(URL.createObjectURL).mock.calls.length;
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(clicked).toEqual([{ href: urls[made], download: 'photo.png' }]);
    expect(vi.mocked(URL.createObjectURL).mock.calls[made]?.[0]).toBe(PNG);
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('keeps Tab inside, closes on Escape and gives focus back', async () => {
    const user = userEvent.setup();
    const { opener } = await open();
    const close = screen.getByRole('button', { name: 'Close' });
    expect(document.activeElement).toBe(close);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Copy image' }));
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(close);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });
});
