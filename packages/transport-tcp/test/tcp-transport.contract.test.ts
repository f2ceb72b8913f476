import { describe, it } from 'vitest';
import { transportContract } from '@poolnet/engine/testing';
import { TcpTransport } from '../src/index.js';

// The TCP transport passes the same contract as the memory and WebRTC transports, on 127.0.0.1.
describe('tcp transport contract', () => {
  for (const c of transportContract) {
    it(`[${c.id}] ${c.name}`, () => c.run({ make: () => new TcpTransport({ host: '127.0.0.1' }) }));
  }
});
