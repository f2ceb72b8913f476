// @vitest-environment jsdom
/**
 * The owner's pool limits in the People tab: only the owner sees them; bad numbers are
 * refused with a sentence before anything is sent; a save sends bytes (MiB converted) and
 * shows what the server answered; a refusal shows the backend's message; Escape closes the
 * panel and gives focus back to its button.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, type Pool } from '../../src/api/backend.js';
import { BackendContext } from '../../src/app/backend-context.js';
import { PeopleTab } from '../../src/pool/PeopleTab.js';
import { type FakeBackend, fakeBackend } from './fake-backend.js';

afterEach(cleanup);

const POOL: Pool = {
  id: 'pool-1',
  name: 'Garden',
  isHome: false,
  ownerId: 'user-ann',
  role: 'owner',
  members: 1,
  online: 1,
  unread: 0,
  settings: null,
};

function setup(pool: Pool = POOL): FakeBackend {
  const backend = fakeBackend();
  backend.members.mockResolvedValue([]);
  backend.invites.mockResolvedValue([]);
  render(
    <BackendContext.Provider value={backend}>
      <PeopleTab pool={pool} status={null} me="user-ann" />
    </BackendContext.Provider>,
  );
  return backend;
}

describe('pool limits', () => {
  it('are only for the owner', async () => {
    const backend = setup({ ...POOL, role: 'member' });
    await waitFor(() => expect(backend.members).toHaveBeenCalled());
    expect(screen.queryByRole('button', { name: /Pool limits/ })).toBeNull();
  });

  it('refuses bad numbers, then saves bytes and shows the answer', async () => {
    const user = userEvent.setup();
    const backend = setup();
    backend.updatePoolSettings.mockResolvedValue({
      id: 'pool-1',
      name: 'Garden',
      settings: { maxTextBytes: 2000, maxFileBytes: 10 * 1024 * 1024 },
    });
    const toggle = screen.getByRole('button', { name: /Pool limits/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByRole('alert').textContent).toBe('Enter at least one limit.');

    const text = screen.getByLabelText(/Longest message/);
    fireEvent.change(text, { target: { value: '999999' } });
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByRole('alert').textContent).toMatch(/whole number from 1 to 65536/);
    fireEvent.change(text, { target: { value: '1.5' } });
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByRole('alert').textContent).toMatch(/whole number/);
    expect(backend.updatePoolSettings).not.toHaveBeenCalled();

    fireEvent.change(text, { target: { value: '2000' } });
    fireEvent.change(screen.getByLabelText(/Largest file/), { target: { value: '10' } });
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(backend.updatePoolSettings).toHaveBeenCalledWith('pool-1', {
      maxTextBytes: 2000,
      maxFileBytes: 10 * 1024 * 1024,
    });
    const saved = await screen.findByText(/Saved:/);
    expect(saved.textContent).toBe('Saved: messages up to 2000 bytes, files up to 10 MiB.');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends only the field filled in, and shows a refusal readably', async () => {
    const user = userEvent.setup();
    const backend = setup();
    backend.updatePoolSettings.mockRejectedValue(
      new BackendError('FORBIDDEN', 'Only the owner can change this pool.', 403),
    );
    await user.click(screen.getByRole('button', { name: /Pool limits/ }));
    fireEvent.change(screen.getByLabelText(/Largest file/), { target: { value: '1' } });
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(backend.updatePoolSettings).toHaveBeenCalledWith('pool-1', { maxFileBytes: 1048576 });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Only the owner can change this pool.',
    );
  });

  it('closes on Escape and gives focus back to its button', async () => {
    const user = userEvent.setup();
    setup();
    const toggle = screen.getByRole('button', { name: /Pool limits/ });
    await user.click(toggle);
    await user.click(screen.getByLabelText(/Longest message/));
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText(/Longest message/)).toBeNull();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle);
  });

  it('open with the current limits and send only what changed', async () => {
    const user = userEvent.setup();
    const backend = setup({
      ...POOL,
      settings: { maxTextBytes: 4096, maxFileBytes: 4096 * 1024 * 1024 },
    });
    backend.updatePoolSettings.mockResolvedValue({
      id: 'pool-1',
      name: 'Garden',
      settings: { maxTextBytes: 4096, maxFileBytes: 100 * 1024 * 1024 },
    });
    await user.click(screen.getByRole('button', { name: /Pool limits/ }));
    expect(screen.getByText(/Now: messages up to 4096 bytes, files up to 4096 MiB/)).toBeTruthy();
    const file = screen.getByLabelText<HTMLInputElement>(/Largest file/);
    expect(screen.getByLabelText<HTMLInputElement>(/Longest message/).value).toBe('4096');
    expect(file.value).toBe('4096');

    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByRole('alert').textContent).toBe('These are the current limits.');
    expect(backend.updatePoolSettings).not.toHaveBeenCalled();

    fireEvent.change(file, { target: { value: '100' } });
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(backend.updatePoolSettings).toHaveBeenCalledWith('pool-1', {
      maxFileBytes: 100 * 1024 * 1024,
    });
    expect((await screen.findByText(/Saved:/)).textContent).toBe(
      'Saved: messages up to 4096 bytes, files up to 100 MiB.',
    );
    expect(file.value).toBe('100');
  });
});
