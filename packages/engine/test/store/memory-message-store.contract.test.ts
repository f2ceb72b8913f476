import { describe, it } from 'vitest';
import { MemoryMessageStore } from '../../src/store/memory-message-store.js';
import { messageStoreContract } from '../../src/testing/index.js';

describe('memory message store contract', () => {
  for (const c of messageStoreContract) {
    it(`[${c.id}] ${c.name}`, () => c.run(async () => new MemoryMessageStore()));
  }
});
