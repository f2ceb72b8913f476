import { describe, expect, it } from 'vitest';
import {
  linksOf,
  positionOfPeerInPanel,
  type Links,
  type PanelRow,
  type Position,
} from '../../src/topology/index.js';
import { build, n } from './helpers.js';

const EMPTY: PanelRow = [null, null, null];
type Grid3 = [PanelRow, PanelRow, PanelRow];

/** Positions of every node of a center grid, optionally with a child cluster under panel 0. */
function world(center: Grid3, kids?: [PanelRow, PanelRow]): Position[] {
  const out: Position[] = [];
  center.forEach((row, r) =>
    row.forEach((id, slot) => {
      if (id === null) return;
      const children: [PanelRow, PanelRow] = r === 0 && kids ? kids : [EMPTY, EMPTY];
      out.push({ nodeId: id, path: [r], slot, cluster: center, children, epoch: 0 });
    }),
  );
  if (kids) {
    const cluster: Grid3 = [kids[0], kids[1], center[0]];
    kids.forEach((row, r) =>
      row.forEach((id, slot) => {
        if (id === null) return;
        out.push({ nodeId: id, path: [0, r], slot, cluster, children: [EMPTY, EMPTY], epoch: 0 });
      }),
    );
  }
  return out;
}

function row(mask: number, shift: number, prefix: string): PanelRow {
  const cell = (s: number) => ((mask >> (shift + s)) & 1 ? n(`${prefix}${s}`) : null);
  return [cell(0), cell(1), cell(2)];
}

/** Symmetric, one initiator, at most 6 links, connected. */
function expectSound(positions: Position[]): void {
  const all = new Map<string, Links>(positions.map((p) => [p.nodeId, linksOf(p)]));
  for (const [id, links] of all) {
    expect(links.size).toBeLessThanOrEqual(6);
    for (const [peer, mine] of links) {
      const back = all.get(peer)?.get(n(id));
      expect(back, `${id}-${peer} one-sided`).toBeDefined();
      expect(back, `${id}-${peer} initiators`).toBe(!mine);
    }
  }
  const first = positions[0];
  if (!first) return;
  const seen = new Set<string>([first.nodeId]);
  const queue: string[] = [first.nodeId];
  while (queue.length) {
    for (const peer of all.get(queue.pop() ?? '')?.keys() ?? []) {
      if (seen.has(peer)) continue;
      seen.add(peer);
      queue.push(peer);
    }
  }
  expect(seen.size).toBe(positions.length);
}

describe('[TOP10] link rules are sound for every occupancy', () => {
  it('all 512 occupancies of the center cluster', () => {
    for (let mask = 0; mask < 512; mask++) {
      expectSound(world([row(mask, 0, 'a'), row(mask, 3, 'b'), row(mask, 6, 'c')]));
    }
  });

  it('all 64 occupancies of a child cluster under a full connector', () => {
    const full: PanelRow = [n('a0'), n('a1'), n('a2')];
    const center: Grid3 = [full, [n('b0'), n('b1'), n('b2')], [n('c0'), n('c1'), n('c2')]];
    for (let mask = 0; mask < 64; mask++) {
      expectSound(world(center, [row(mask, 0, 'k'), row(mask, 3, 'l')]));
    }
  });
});

describe('link rules on the worked examples (sync-server.md §2.8)', () => {
  it('[TOP5][TOP9] panel-mates link, the lower slot initiates', () => {
    const t = build(4); // n1 [0]/0, n4 [0]/1
    expect(t.linksOf(n(1)).get(n(4))).toBe(true);
    expect(t.linksOf(n(4)).get(n(1))).toBe(false);
  });

  it('[TOP4][TOP9] partner in each other panel, the higher row initiates; fallback when vacant', () => {
    const t = build(4); // n2 [1]/0, n3 [2]/0; n4 [0]/1 has no partner at slot 1 in rows 1, 2
    expect(t.linksOf(n(4))).toEqual(
      new Map([
        [n(1), false],
        [n(2), false],
        [n(3), false],
      ]),
    );
    expect(t.linksOf(n(3)).get(n(2))).toBe(true);
  });

  it('[TOP7] a node alone in its panel links every node of the other panels', () => {
    const t = build(5); // n3 alone in [2]
    expect([...t.linksOf(n(3)).keys()].sort()).toEqual([n(1), n(2), n(4), n(5)].sort());
  });

  it('[TOP8] one hole: the mates around it cover its links', () => {
    const t = build(8); // [2] = {n3, n6}, hole at slot 2; n7 = [0]/2, n8 = [1]/2
    expect(t.linksOf(n(3)).get(n(8))).toBe(true); // slot after the hole covers the higher row 1
    expect(t.linksOf(n(6)).get(n(7))).toBe(true); // slot before the hole covers the lower row 0
    for (let i = 1; i <= 8; i++) expect(t.linksOf(n(i)).size).toBe(4);
  });

  it('[TOP6][TOP9] child panels: same slot else forward fallback; the parent initiates', () => {
    const t = build(10); // n10 = [0,0]/0 under n1, n4, n7
    for (const p of [1, 4, 7]) expect(t.linksOf(n(p)).get(n(10))).toBe(true);
    expect(t.linksOf(n(10))).toEqual(
      new Map([
        [n(1), false],
        [n(4), false],
        [n(7), false],
      ]),
    );
  });

  it('[TOP3] positionOfPeerInPanel gives the mate its own Position and links', () => {
    const t = build(30);
    const me = t.positionOf(n(1));
    const mate = positionOfPeerInPanel(me, 1);
    expect(mate).toEqual({ ...t.positionOf(n(4)), epoch: me.epoch });
    expect(mate && linksOf(mate)).toEqual(t.linksOf(n(4)));
    expect(positionOfPeerInPanel(me, 0)).toEqual(me);
    const lone = t.positionOf(n(28));
    expect(positionOfPeerInPanel(lone, 1)).toBeUndefined();
    expect(() => positionOfPeerInPanel(lone, 3)).toThrow(RangeError);
  });
});
