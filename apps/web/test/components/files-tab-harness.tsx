/**
 * The Files tab of one pool, nothing listed yet, over a fake backend (with its transfers
 * context), as the component tests render it.
 */
import { render } from '@testing-library/react';
import { BackendContext } from '../../src/app/backend-context.js';
import { FilesTab } from '../../src/pool/FilesTab.js';
import { TransfersContext, useTransfers } from '../../src/transfers/use-transfers.js';
import type { FakeBackend } from './fake-backend.js';

export function renderFilesTab(
  backend: FakeBackend,
  pool: string,
  refresh: () => void = () => undefined,
): void {
  backend.downloadHistory.mockResolvedValue([]);
  function Harness() {
    const transfers = useTransfers(backend);
    return (
      <TransfersContext.Provider value={transfers}>
        <FilesTab
          pool={pool}
          files={{ files: [], folders: [], byId: new Map(), error: null, refresh }}
          deviceName={(id) => id}
          onFiles={() => undefined}
        />
      </TransfersContext.Provider>
    );
  }
  render(
    <BackendContext.Provider value={backend}>
      <Harness />
    </BackendContext.Provider>,
  );
}
