/** Live events from the backend; the latest `onEvent` is called, the socket is shared. */
import { useEffect, useRef } from 'react';
import type { Backend, DaemonEvent } from '../api/backend.js';

export function useBackendEvents(
  backend: Backend,
  onEvent: (event: DaemonEvent) => void,
  onConnection?: (up: boolean) => void,
): void {
  const handlers = useRef({ onEvent, onConnection });
  handlers.current = { onEvent, onConnection };
  useEffect(
    () =>
      backend.subscribe(
        (event) => handlers.current.onEvent(event),
        (up) => handlers.current.onConnection?.(up),
      ),
    [backend],
  );
}
