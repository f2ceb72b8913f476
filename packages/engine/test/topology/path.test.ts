import { describe, expect, it } from 'vitest';
import {
  childPath,
  extendPath,
  isPrefix,
  pathEquals,
  pathKey,
  rowPath,
  type Position,
} from '../../src/topology/index.js';
import { n } from './helpers.js';

const EMPTY = [null, null, null] as const;
const at = (path: number[], slot = 0): Position => ({
  nodeId: n('x'),
  path,
  slot,
  cluster: [EMPTY, EMPTY, EMPTY],
  children: [EMPTY, EMPTY],
  epoch: 0,
});

describe('[TOP2] paths', () => {
  it('keys, equality and prefixes', () => {
    expect(pathKey([2, 1, 0])).toBe('2.1.0');
    expect(pathEquals([1, 0], [1, 0])).toBe(true);
    expect(pathEquals([1, 0], [1])).toBe(false);
    expect(pathEquals([1, 0], [1, 1])).toBe(false);
    expect(isPrefix([1], [1, 0, 1])).toBe(true);
    expect(isPrefix([1, 0, 1], [1, 0, 1])).toBe(true);
    expect(isPrefix([0], [1, 0])).toBe(false);
    expect(isPrefix([1, 0], [1])).toBe(false);
  });

  it('rowPath: center rows, own rows and the connector row', () => {
    expect(rowPath(at([1]), 0)).toEqual([0]);
    expect(rowPath(at([1]), 2)).toEqual([2]);
    expect(rowPath(at([2, 1, 0]), 0)).toEqual([2, 1, 0]);
    expect(rowPath(at([2, 1, 0]), 1)).toEqual([2, 1, 1]);
    expect(rowPath(at([2, 1, 0]), 2)).toEqual([2, 1]);
    expect(() => rowPath(at([0]), 3)).toThrow(RangeError);
  });

  it('childPath appends the child panel number', () => {
    expect(childPath(at([2, 1]), 0)).toEqual([2, 1, 0]);
    expect(childPath(at([2, 1]), 1)).toEqual([2, 1, 1]);
    expect(() => childPath(at([2]), 2)).toThrow(RangeError);
  });

  it('always returns fresh arrays (the Go slice-aliasing bug)', () => {
    const base = [1, 0, 1];
    const pos = at(base);
    const a = childPath(pos, 0);
    const b = childPath(pos, 1);
    expect(a).toEqual([1, 0, 1, 0]);
    expect(b).toEqual([1, 0, 1, 1]);
    expect(a).not.toBe(b);
    expect(base).toEqual([1, 0, 1]);
    const e = extendPath(base, 0);
    e.push(9);
    expect(base).toEqual([1, 0, 1]);
    const r = rowPath(pos, 2);
    r.push(7);
    expect(pos.path).toEqual([1, 0, 1]);
  });
});
