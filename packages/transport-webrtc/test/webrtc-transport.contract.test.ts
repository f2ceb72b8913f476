import { describe, it } from 'vitest';
import { transportContract } from '@poolnet/engine/testing';
import { WebRtcTransport } from '../src/index.js';

// The WebRTC transport passes the same contract as the memory transport, over 127.0.0.1.
describe('webrtc transport contract', () => {
  for (const c of transportContract) {
    it(`[${c.id}] ${c.name}`, () =>
      c.run({ make: () => new WebRtcTransport({ bindAddress: '127.0.0.1' }) }));
  }
});
