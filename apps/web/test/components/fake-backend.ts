/**
 * A `Backend` for component tests: every method is a `vi.fn` that rejects until the test
 * gives it an answer, and `emit` plays daemon events to the subscribers.
 */
import { vi } from 'vitest';
import { type Backend, BackendError, type DaemonEvent } from '../../src/api/backend.js';

export type FakeBackend = {
  [K in keyof Backend]-?: Backend[K] extends (...args: infer A) => infer R
    ? ReturnType<typeof vi.fn<(...args: A) => R>>
    : Backend[K];
} & {
  emit(event: DaemonEvent): void;
  setConnection(up: boolean): void;
};

const METHODS = [
  'status',
  'register',
  'signIn',
  'signOut',
  'devices',
  'deviceCode',
  'linkDevice',
  'renameDevice',
  'revokeDevice',
  'settings',
  'updateSettings',
  'pools',
  'createPool',
  'renamePool',
  'joinPool',
  'leavePool',
  'members',
  'removeMember',
  'updatePoolSettings',
  'createInvite',
  'invites',
  'revokeInvite',
  'messages',
  'send',
  'files',
  'folder',
  'share',
  'shareFolder',
  'download',
  'downloadFolder',
  'cancelDownload',
  'retract',
  'downloadHistory',
  'fileBlob',
  'reveal',
] as const;

export function fakeBackend(): FakeBackend {
  const listeners = new Set<{
    onEvent: (e: DaemonEvent) => void;
    onConnection?: (up: boolean) => void;
  }>();
  const fake: Record<string, unknown> = { mode: 'desktop' };
  for (const name of METHODS) {
    fake[name] = vi.fn(() => Promise.reject(new BackendError('NOT_FAKED', `${name} is not faked`)));
  }
  fake.subscribe = vi.fn(
    (onEvent: (e: DaemonEvent) => void, onConnection?: (up: boolean) => void) => {
      const listener = { onEvent, ...(onConnection ? { onConnection } : {}) };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  );
  fake.emit = (event: DaemonEvent) => {
    for (const l of [...listeners]) l.onEvent(event);
  };
  fake.setConnection = (up: boolean) => {
    for (const l of [...listeners]) l.onConnection?.(up);
  };
  return fake as unknown as FakeBackend;
}
