import { describe, it } from 'vitest';
import { MemoryNetwork, SeededRandom, transportContract } from '../../src/testing/index.js';
import { systemClock } from '../../src/ports/clock.js';

// The memory transport passes the same contract the WebRTC and TCP transports will.
describe('memory transport contract', () => {
  const network = new MemoryNetwork({
    clock: systemClock,
    random: new SeededRandom(7),
    latencyMs: [1, 3],
  });
  for (const c of transportContract) {
    it(`[${c.id}] ${c.name}`, () => c.run({ make: (id) => network.transport(id) }));
  }
});
