import { describe, expect, it } from 'vitest';
import { DuplicateWindow } from '../../src/routing/duplicate-window.js';

describe('DuplicateWindow', () => {
  it('[RT5] remembers the last `capacity` ids and forgets the oldest', () => {
    const w = new DuplicateWindow(3);
    expect(w.add('a')).toBe(true);
    expect(w.add('a')).toBe(false);
    w.add('b');
    w.add('c');
    w.add('d');
    expect(w.has('a')).toBe(false);
    expect(w.has('b') && w.has('c') && w.has('d')).toBe(true);
    expect(w.size).toBe(3);
  });
});
