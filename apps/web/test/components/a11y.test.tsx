// @vitest-environment jsdom
/**
 * Keyboard and screen-reader basics: new messages from others are announced by a polite live
 * region (not the history loaded on open, not my own), the list itself is not a live region,
 * and the Files tab's "Share files…" is a real button in the Tab order that opens the picker.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend, Message } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { MessageList } from '../../src/pool/MessageList.js';
import { useMessagePages } from '../../src/pool/use-message-pages.js';
import { fakeBackend } from './fake-backend.js';
import { renderFilesTab } from './files-tab-harness.js';

afterEach(cleanup);

const POOL = 'pool-1';
const message = (i: number, over: Partial<Message> = {}): Message => ({
  id: `m${String(i).padStart(3, '0')}`,
  pool: POOL,
  author: 'dev-ben',
  userId: 'user-ben',
  authorName: 'Ben',
  createdAt: 1_700_000_000_000 + i * 1000,
  kind: 'text',
  text: `message ${i}`,
  mine: false,
  ...over,
});

function Chat({ backend }: { backend: Backend }) {
  const pages = useMessagePages(backend, POOL);
  return <MessageList pages={pages} renderOffer={() => null} deviceName={() => undefined} />;
}

describe('new messages are announced', () => {
  it('announces what others send, not the history or my own', async () => {
    const backend = fakeBackend();
    backend.messages.mockResolvedValue({
      messages: [message(1), message(2)],
      hasOlder: false,
      hasNewer: false,
    });
    render(
      <BackendContext.Provider value={backend}>
        <Chat backend={backend} />
      </BackendContext.Provider>,
    );
    const live = screen.getByTestId('new-messages-live');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(screen.getByRole('log', { name: 'Messages' }).getAttribute('aria-live')).toBe('off');
    await waitFor(() => expect(backend.messages).toHaveBeenCalled());
    await act(async () => undefined);
    expect(live.textContent).toBe('');

    act(() => backend.emit({ type: 'message', message: message(3, { text: 'are you there?' }) }));
    await waitFor(() => expect(live.textContent).toBe('New message from Ben'));

    act(() =>
      backend.emit({
        type: 'message',
        message: message(4, { mine: true, author: 'dev-ann', authorName: 'Ann', text: 'yes' }),
      }),
    );
    await act(async () => undefined);
    expect(live.textContent).toBe('New message from Ben');

    act(() =>
      backend.emit({ type: 'message', message: message(5, { kind: 'mediaOffer', text: '' }) }),
    );
    await waitFor(() => expect(live.textContent).toBe('Ben shared an image'));

    act(() => {
      backend.emit({ type: 'message', message: message(6) });
      backend.emit({
        type: 'message',
        message: message(7, { author: 'dev-carol', userId: 'user-carol', authorName: 'Carol' }),
      });
    });
    await waitFor(() => expect(live.textContent).toBe('2 new messages from Ben and Carol'));
    // The text itself is only in the log (a copy here would match every search for it).
    expect(live.textContent).not.toContain('message 7');
  });
});

describe('Files tab keyboard', () => {
  it('"Share files…" is a button in the Tab order that opens the file picker', async () => {
    const backend = fakeBackend();
    renderFilesTab(backend, POOL);
    const user = userEvent.setup();
    const picker = screen.getByTestId('files-tab-input') as HTMLInputElement;
    const opened = vi.fn();
    picker.addEventListener('click', opened);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Share files…' }));
    await user.keyboard('{Enter}');
    expect(opened).toHaveBeenCalledTimes(1);
  });
});
