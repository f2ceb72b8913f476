import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/cli/duration.js';

describe('durations', () => {
  it('reads seconds, minutes, hours, days, weeks and sums of them', () => {
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('2w')).toBe(1_209_600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration(' 1H ')).toBe(3600);
  });

  it('refuses what is not a positive duration', () => {
    for (const text of ['', '10', 'h', '1x', '1.5h', '-1h', '0m', '1h 30m', 'soon', '1hh']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });

  it('writes the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(600)).toBe('10m');
    expect(formatDuration(5400)).toBe('1h 30m');
    expect(formatDuration(604_800)).toBe('7d');
    expect(formatDuration(90_061)).toBe('1d 1h');
    expect(formatDuration(599.6)).toBe('10m');
  });
});
