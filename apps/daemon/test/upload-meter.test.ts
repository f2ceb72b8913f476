import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type UploadTotals, UploadMeter } from '../src/daemon/upload-meter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('UploadMeter', () => {
  it('reports a file at most every 250 ms, the first at once and the last one always', () => {
    const reports: Array<[string, UploadTotals]> = [];
    const meter = new UploadMeter({
      report: (file, totals) => reports.push([file, totals]),
      now: () => Date.now(),
    });
    // 1000 chunks over 1 s, plus another file.
    for (let ms = 0; ms < 1000; ms++) {
      meter.served('a', 100);
      if (ms % 100 === 0) meter.served('b', 5);
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(1000);
    const a = reports.filter(([file]) => file === 'a').map(([, t]) => t);
    expect(a[0]).toEqual({ chunks: 1, bytes: 100 });
    expect(a.length).toBeLessThanOrEqual(5);
    expect(a.at(-1)).toEqual({ chunks: 1000, bytes: 100_000 });
    const b = reports.filter(([file]) => file === 'b').map(([, t]) => t);
    expect(b.at(-1)).toEqual({ chunks: 10, bytes: 50 });
    expect(meter.totals('a')).toEqual({ chunks: 1000, bytes: 100_000 });
    meter.close();
  });
});
