// @vitest-environment jsdom
/**
 * The message list with a fake backend of 120 messages: it opens on the latest page at the
 * bottom, loads the page before when scrolled to the top and keeps the reading position, does
 * not jump when a message arrives while reading history, and "go to latest" goes back down.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Message, MessageQuery } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { ESTIMATED_ROW_PX, MessageList } from '../../src/pool/MessageList.js';
import { useMessagePages } from '../../src/pool/use-message-pages.js';
import { fakeBackend } from './fake-backend.js';

const ROW = ESTIMATED_ROW_PX;
const VIEW = 400;
const POOL = 'pool-1';

const message = (i: number): Message => ({
  id: `m${String(i).padStart(3, '0')}`,
  pool: POOL,
  author: i % 3 === 0 ? 'dev-a' : 'dev-b',
  userId: i % 3 === 0 ? 'user-a' : 'user-b',
  authorName: i % 3 === 0 ? 'Ann' : 'Ben',
  createdAt: 1_700_000_000_000 + i * 1000,
  kind: 'text',
  text: `message ${String(i).padStart(3, '0')}`,
  mine: false,
});

beforeAll(() => {
  // jsdom lays nothing out: give rows and the scroller the sizes a browser would.
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('message-row') ? ROW : 0;
    },
  });
  const rect = HTMLElement.prototype.getBoundingClientRect;
  HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
    if (this.classList.contains('message-scroller')) {
      return {
        width: 360,
        height: VIEW,
        top: 0,
        left: 0,
        right: 360,
        bottom: VIEW,
        x: 0,
        y: 0,
        toJSON: () => ({}),
      };
    }
    if (this.classList.contains('message-row')) {
      return {
        width: 360,
        height: ROW,
        top: 0,
        left: 0,
        right: 360,
        bottom: ROW,
        x: 0,
        y: 0,
        toJSON: () => ({}),
      };
    }
    return rect.call(this);
  };
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('message-scroller') ? VIEW : 0;
    },
  });
  // The scroll height is the virtual list's height (its spacer), as in a browser.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const spacer = this.querySelector<HTMLElement>(':scope > div[style*="height"]');
      return spacer ? parseFloat(spacer.style.height) : 0;
    },
  });
  HTMLElement.prototype.scrollTo = function (
    this: HTMLElement,
    options?: ScrollToOptions | number,
  ) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
  } as typeof HTMLElement.prototype.scrollTo;
});

afterEach(cleanup);

/** 120 messages served in pages like the daemon does (oldest first, latest page by default). */
function backendWith(total: number) {
  const all = Array.from({ length: total }, (_, i) => message(i));
  const backend = fakeBackend();
  backend.messages.mockImplementation(async (_pool: string, q: MessageQuery = {}) => {
    const limit = q.limit ?? 50;
    const end = q.before ? all.findIndex((m) => m.id === q.before) : all.length;
    const start = Math.max(0, end - limit);
    return { messages: all.slice(start, end), hasOlder: start > 0, hasNewer: end < all.length };
  });
  return { backend, all };
}

function Harness({ backend }: { backend: Backend }) {
  const pages = useMessagePages(backend, POOL);
  return <MessageList pages={pages} renderOffer={() => null} deviceName={() => undefined} />;
}

const scroller = () => screen.getByTestId('message-scroller');
/** A browser fires `scroll` after a programmatic scroll; jsdom does not, so the test does. */
const settle = () => act(async () => void fireEvent.scroll(scroller()));

/** Renders the list and waits until it sits at the bottom of the latest page. */
async function open(backend: Backend, rows: number): Promise<void> {
  render(
    <BackendContext.Provider value={backend}>
      <Harness backend={backend} />
    </BackendContext.Provider>,
  );
  await waitFor(() => expect(scroller().scrollTop).toBe(rows * ROW));
  await settle();
}
const scrollTo = (top: number) =>
  act(() => {
    scroller().scrollTop = top;
    fireEvent.scroll(scroller());
  });

describe('message list', () => {
  it('opens at the latest page, at the bottom', async () => {
    const { backend } = backendWith(120);
    await open(backend, 50);
    await screen.findByText('message 119');
    expect(backend.messages).toHaveBeenCalledWith(POOL, { limit: 50 });
    // Virtualised: far fewer rows in the DOM than messages loaded.
    expect(document.querySelectorAll('.message-row').length).toBeLessThan(50);
    expect(screen.queryByText('message 070')).toBeNull();
    expect(screen.queryByRole('button', { name: /Go to latest/ })).toBeNull();
  });

  it('loads older pages on scroll to the top, keeps the position, and goes back to the latest', async () => {
    const { backend } = backendWith(120);
    await open(backend, 50);
    await screen.findByText('message 119');

    scrollTo(0);
    await waitFor(() =>
      expect(backend.messages).toHaveBeenCalledWith(POOL, { before: 'm070', limit: 50 }),
    );
    // The 50 older rows came in above: the view moved down by their height, so message 070
    // is still where it was (the top) and nothing jumped.
    await waitFor(() => expect(scroller().scrollTop).toBe(50 * ROW));
    await settle();
    expect(screen.getByText('message 070')).toBeTruthy();
    expect(screen.queryByText('message 020')).toBeNull();
    expect(screen.getByRole('button', { name: /Go to latest/ })).toBeTruthy();

    // Again: the first page (20 left), then the start of history.
    scrollTo(0);
    await waitFor(() =>
      expect(backend.messages).toHaveBeenCalledWith(POOL, { before: 'm020', limit: 50 }),
    );
    await waitFor(() => expect(scroller().scrollTop).toBe(20 * ROW));
    scrollTo(0);
    expect(await screen.findByText(/beginning of this pool/)).toBeTruthy();
    expect(backend.messages).toHaveBeenCalledTimes(3);

    // A new message while reading history is added below without moving the view.
    act(() => backend.emit({ type: 'message', message: message(120) }));
    expect(scroller().scrollTop).toBe(0);

    // Go to latest: back at the bottom, the new message on screen, the button gone.
    fireEvent.click(screen.getByRole('button', { name: /Go to latest/ }));
    await waitFor(() => expect(scroller().scrollTop).toBe(121 * ROW));
    await settle();
    expect(await screen.findByText('message 120')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: /Go to latest/ })).toBeNull());
  });

  it('follows new messages while at the bottom', async () => {
    const { backend } = backendWith(10);
    await open(backend, 10);
    await screen.findByText('message 009');
    expect(screen.getByText(/beginning of this pool/)).toBeTruthy();
    act(() => backend.emit({ type: 'message', message: message(10) }));
    expect(await screen.findByText('message 010')).toBeTruthy();
    // Another pool's message is not shown here.
    act(() => backend.emit({ type: 'message', message: { ...message(11), pool: 'other' } }));
    expect(screen.queryByText('message 011')).toBeNull();
    expect(scroller().scrollTop).toBe(11 * ROW);
  });
});
