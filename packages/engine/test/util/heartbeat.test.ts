import { describe, expect, it } from 'vitest';
import { ManualClock } from '@poolnet/engine/testing';
import { Heartbeat } from '../../src/util/heartbeat.js';

describe('heartbeat', () => {
  it('beats every interval and reports silence only after the timeout without news', async () => {
    const clock = new ManualClock();
    let beats = 0;
    let silent = 0;
    const heartbeat = new Heartbeat(
      clock,
      100,
      500,
      () => beats++,
      () => silent++,
    );
    heartbeat.start();
    for (let i = 0; i < 10; i++) {
      await clock.advance(100);
      heartbeat.heardFrom();
    }
    expect(beats).toBe(10);
    expect(silent).toBe(0);
    await clock.advance(450);
    expect(silent).toBe(0);
    await clock.advance(200);
    expect(silent).toBe(1);
    const beatsAtSilence = beats;
    await clock.advance(1000);
    expect(silent).toBe(1);
    expect(beats).toBe(beatsAtSilence);
  });

  it('does nothing when off or stopped', async () => {
    const clock = new ManualClock();
    let calls = 0;
    new Heartbeat(
      clock,
      0,
      500,
      () => calls++,
      () => calls++,
    ).start();
    const stopped = new Heartbeat(
      clock,
      100,
      500,
      () => calls++,
      () => calls++,
    );
    stopped.start();
    stopped.stop();
    await clock.advance(10_000);
    expect(calls).toBe(0);
  });
});
