import type { NodeId } from '@poolnet/protocol';
import { TopologyError } from './errors.js';
import { linksOf, type Links } from './links.js';
import { pathEquals } from './path.js';
import type { Position } from './position.js';
import type { Level, NodeRecord } from './placement.js';
import type { Panel } from './tree.js';

/**
 * Full consistency check of a Topology (tests and debugging; O(N)). Throws a TopologyError with
 * code INVARIANT_VIOLATED describing the first violation of:
 * - bookkeeping: panel/cluster/level/subtree counts and count buckets match the slots;
 * - placement: every node sits exactly once, where its record says (TOP1, TOP3);
 * - paths: each panel's path is its parent's + [i] (or [i] at the center), all distinct (TOP2);
 * - compactness: a panel with a vacancy has nothing below it (TOP12);
 * - links: symmetric, exactly one initiator, at most 6 per node, graph connected (TOP10).
 */
export function checkTreeInvariants(
  levels: readonly Level[],
  nodes: ReadonlyMap<NodeId, NodeRecord>,
  positionOf: (id: NodeId) => Position,
): void {
  const fail = (msg: string): never => {
    throw new TopologyError('INVARIANT_VIOLATED', msg);
  };
  const seenPaths = new Set<string>();
  const seenNodes = new Set<NodeId>();
  let total = 0;

  levels.forEach((level, k) => {
    let levelCount = 0;
    if (level.buckets.size !== level.clusters.length) fail(`level ${k}: bucket size`);
    for (const c of level.clusters) {
      let n = 0;
      for (const panel of c.own) {
        checkPanel(panel, k);
        n += panel.count;
      }
      if (n !== c.count) fail(`cluster ${k}/${c.index}: count ${c.count} != ${n}`);
      if (level.buckets.countOf(c) !== c.count) fail(`cluster ${k}/${c.index}: wrong bucket`);
      if (c.connector && c.count > 0 && c.connector.count < 3)
        fail(`cluster under ${c.connector.key} has nodes but its connector is not full`);
      levelCount += n;
    }
    if (levelCount !== level.count) fail(`level ${k}: count ${level.count} != ${levelCount}`);
    total += levelCount;
  });
  if (total !== nodes.size) fail(`tree holds ${total} nodes, map ${nodes.size}`);

  function checkPanel(panel: Panel, level: number): void {
    const parent = panel.parent;
    const expectLen = level + 1;
    if (panel.path.length !== expectLen) fail(`panel ${panel.key}: path length at level ${level}`);
    if (parent && !pathEquals(panel.path.slice(0, -1), parent.path))
      fail(`panel ${panel.key}: not under its parent ${parent.key}`);
    if (parent && panel.path === parent.path) fail(`panel ${panel.key}: shares its parent's path`);
    if (seenPaths.has(panel.key)) fail(`path ${panel.key} used by two panels`);
    seenPaths.add(panel.key);
    let count = 0;
    panel.slots.forEach((id, s) => {
      if (id === null) return;
      count++;
      const rec = nodes.get(id);
      if (!rec || rec.panel !== panel || rec.slot !== s)
        fail(`${id} misplaced at ${panel.key}/${s}`);
      if (seenNodes.has(id)) fail(`${id} sits twice`);
      seenNodes.add(id);
    });
    if (count !== panel.count) fail(`panel ${panel.key}: count ${panel.count} != ${count}`);
    const below = panel.child ? panel.child.rows[0].subtree + panel.child.rows[1].subtree : 0;
    if (panel.subtree !== count + below) fail(`panel ${panel.key}: subtree count`);
    if (count < 3 && below > 0) fail(`panel ${panel.key} has a vacancy but ${below} nodes below`);
  }

  checkLinks(nodes, positionOf, fail);
}

function checkLinks(
  nodes: ReadonlyMap<NodeId, NodeRecord>,
  positionOf: (id: NodeId) => Position,
  fail: (msg: string) => never,
): void {
  const all = new Map<NodeId, Links>();
  for (const id of nodes.keys()) {
    const pos = positionOf(id);
    const row = pos.cluster[pos.path[pos.path.length - 1] ?? -1];
    if (row?.[pos.slot] !== id) fail(`${id}: Position does not show it in its own slot`);
    all.set(id, linksOf(pos));
  }
  for (const [id, links] of all) {
    if (links.size > 6) fail(`${id} has ${links.size} links`);
    for (const [peer, mine] of links) {
      const back = all.get(peer)?.get(id);
      if (back === undefined) fail(`link ${id}-${peer} is one-sided`);
      if (back === mine) fail(`link ${id}-${peer} has ${mine ? 2 : 0} initiators`);
    }
  }
  const first = all.keys().next();
  if (first.done) return;
  const reached = new Set<NodeId>([first.value]);
  const queue = [first.value];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const peer of all.get(id)?.keys() ?? []) {
      if (!reached.has(peer)) {
        reached.add(peer);
        queue.push(peer);
      }
    }
  }
  if (reached.size !== all.size) fail(`link graph not connected: ${reached.size}/${all.size}`);
}
