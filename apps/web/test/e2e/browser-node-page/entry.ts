/**
 * A test page for browser-node.test.ts, built only by that test next to the real UI (under
 * `/contract/`), never part of the app's build: the engine's message store contract
 * (STORE1–STORE4) run against `IndexedDbMessageStore` in real Chromium (Node.js has no
 * IndexedDB without fake-indexeddb, which is not installed).
 */
import { messageStoreContract } from '@poolnet/engine/testing';
import { IndexedDbMessageStore, openDeviceStore } from '@poolnet/store-browser';

declare global {
  interface Window {
    storeContract(): Promise<string[]>;
  }
}

/** Runs every case on a fresh database; answers the ids that passed (the first failure throws). */
window.storeContract = async () => {
  const passed: string[] = [];
  let n = 0;
  for (const test of messageStoreContract) {
    await test.run(async () => {
      n++;
      return new IndexedDbMessageStore(await openDeviceStore(`contract-${n}`), `pool-${n}`);
    });
    passed.push(test.id);
  }
  return passed;
};
(document.getElementById('log') as HTMLElement).textContent = 'ready';
