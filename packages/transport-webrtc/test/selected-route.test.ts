/** Reading a link's route (relayed or direct) from W3C stats, as pages and the polyfill give them. */
import { describe, expect, it } from 'vitest';
import { selectedRoute } from '../src/selected-route.js';

const candidates = (local: string, remote: string) => [
  { id: 'L', type: 'local-candidate', candidateType: local },
  { id: 'R', type: 'remote-candidate', candidateType: remote },
];

describe('selectedRoute', () => {
  it('follows the transport to its selected pair (node-datachannel polyfill, Chromium)', () => {
    const report = new Map<string, unknown>(
      [
        ...candidates('relay', 'srflx'),
        { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' },
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      ].map((s) => [s.id, s]),
    );
    expect(selectedRoute(report)).toEqual({
      relayed: true,
      localType: 'relay',
      remoteType: 'srflx',
    });
  });

  it("the far end's relay candidate counts too; host and srflx pairs are direct", () => {
    const pair = (local: string, remote: string) =>
      new Map<string, unknown>(
        [
          ...candidates(local, remote),
          // A pair that failed first, then the nominated one (Firefox has no transport stat).
          { id: 'X', type: 'candidate-pair', localCandidateId: 'R', remoteCandidateId: 'L' },
          {
            id: 'P',
            type: 'candidate-pair',
            state: 'succeeded',
            nominated: true,
            localCandidateId: 'L',
            remoteCandidateId: 'R',
          },
        ].map((s) => [s.id, s]),
      );
    expect(selectedRoute(pair('srflx', 'relay'))?.relayed).toBe(true);
    expect(selectedRoute(pair('srflx', 'prflx'))?.relayed).toBe(false);
    expect(selectedRoute(pair('host', 'host'))?.relayed).toBe(false);
  });

  it('no selected pair, or a pair naming candidates that are not there: unknown', () => {
    expect(selectedRoute(new Map())).toBeUndefined();
    const dangling = new Map<string, unknown>([
      ['T', { id: 'T', type: 'transport', selectedCandidatePairId: 'P' }],
      ['P', { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' }],
      ['junk', null],
    ]);
    expect(selectedRoute(dangling)).toBeUndefined();
  });
});
