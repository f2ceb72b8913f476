import { describe, expect, it } from 'vitest';
import { Topology } from '../../src/topology/index.js';
import { n } from './helpers.js';

describe('[TOP16] cost per change is O(depth)', () => {
  it('10,000 joins then 1,000 leaves run quickly (sanity, not a benchmark)', () => {
    const t = new Topology();
    const start = Date.now();
    for (let i = 0; i < 10_000; i++) t.add(n(i));
    const joined = Date.now();
    for (let i = 0; i < 10_000; i += 10) t.remove(n(i));
    const done = Date.now();
    console.log(`topology: 10k joins ${joined - start} ms, 1k leaves ${done - joined} ms`);
    expect(t.size).toBe(9_000);
    t.checkInvariants();
  });
});
