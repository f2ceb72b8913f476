import { describe, expect, it } from 'vitest';
import { Topology, pathKey, rowPath, childPath, pathEquals } from '../../src/topology/index.js';
import { build, edges, n } from './helpers.js';

describe('[TOP2] regression: paths stay correct and distinct in deep trees (Go slice aliasing)', () => {
  it('600 nodes: every grid entry sits at the path its row says', () => {
    const t = build(600);
    const byId = new Map(t.nodeIds().map((id) => [id, t.positionOf(id)]));
    const panels = new Map<string, Set<string>>();
    let deepest = 0;
    for (const p of byId.values()) {
      deepest = Math.max(deepest, p.path.length);
      const key = pathKey(p.path);
      const slots = panels.get(key) ?? new Set<string>();
      expect(slots.has(String(p.slot))).toBe(false);
      slots.add(String(p.slot));
      panels.set(key, slots);
      p.cluster.forEach((row, r) =>
        row.forEach((id, s) => {
          if (id === null) return;
          const other = byId.get(id);
          expect(other && pathEquals(other.path, rowPath(p, r)), `${id} in row ${r}`).toBe(true);
          expect(other?.slot).toBe(s);
        }),
      );
      p.children.forEach((row, i) =>
        row.forEach((id, s) => {
          if (id === null) return;
          const other = byId.get(id);
          expect(other && pathEquals(other.path, childPath(p, i))).toBe(true);
          expect(other?.slot).toBe(s);
        }),
      );
    }
    expect(deepest).toBeGreaterThanOrEqual(6);
    // Both panels of deep clusters exist under their own numbers.
    expect(panels.has('0.0.0.0')).toBe(true);
    expect(panels.has('0.0.0.1')).toBe(true);
    expect(panels.has('2.1.1.1.0')).toBe(true);
    t.checkInvariants();
  });
});

describe('[TOP15] regression: a reconnecting device leaves nothing stuck (Go duplicate ids)', () => {
  it('remove then re-add the same id: exactly one node for it', () => {
    const t = build(40);
    const before = t.size;
    for (const i of [1, 17, 33, 40, 1]) {
      t.remove(n(i));
      expect(t.has(n(i))).toBe(false);
      t.add(n(i));
      expect(t.size).toBe(before);
      const seats = t.nodeIds().filter((id) => id === n(i));
      expect(seats.length).toBe(1);
      t.checkInvariants();
    }
    let count = 0;
    for (const id of t.nodeIds()) {
      for (const row of t.positionOf(id).cluster) for (const x of row) if (x === n(1)) count++;
    }
    expect(count).toBeGreaterThan(0); // n1 is visible to its cluster-mates...
    for (const e of edges(t)) expect(e.split('|').every((x) => t.has(n(x)))).toBe(true);
  });

  it('a duplicate add throws and the tree is unchanged', () => {
    const t = build(70);
    const snapshot = t.nodeIds().map((id) => [id, t.positionOf(id), t.linksOf(id)] as const);
    expect(() => t.add(n(70))).toThrow(expect.objectContaining({ code: 'DUPLICATE_NODE' }));
    expect(t.nodeIds().map((id) => [id, t.positionOf(id), t.linksOf(id)] as const)).toEqual(
      snapshot,
    );
    t.checkInvariants();
    const fresh = new Topology();
    fresh.add(n(1));
    expect(() => fresh.add(n(1))).toThrow(expect.objectContaining({ code: 'DUPLICATE_NODE' }));
    expect(fresh.size).toBe(1);
  });
});
