/**
 * A V8 CPU profile (`.cpuprofile`, as written by `--cpu-prof` or the inspector) summed up for
 * a terminal: the functions with the most self time, and the repository's own functions with
 * the most total time (self plus callees), each as `name file[:line]`.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** `name path:line` with the path relative to the repository (or the package in node_modules). */
function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  let path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) path = path.slice(modules + 1);
  else path = path.replace(/^.*?\/(apps|packages|bench)\//, '$1/');
  // Lines of TypeScript run through tsx are those of its output, not the source: leave them out.
  const line = path.endsWith('.ts') ? '' : `:${lineNumber + 1}`;
  const where = path === '' ? '' : ` ${path}${line}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${where}`;
}

const isOwnCode = (node: ProfileNode) =>
  /\/(apps|packages)\//.test(node.callFrame.url) && !node.callFrame.url.includes('/node_modules/');

export async function summarizeProfile(path: string, top = 15): Promise<string> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Self time per node, from the samples and the time between them (µs).
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;

  // Total time per node: its self time plus its subtree's.
  const inclusive = new Map<number, number>();
  const subtree = (id: number): number => {
    const known = inclusive.get(id);
    if (known !== undefined) return known;
    let sum = self.get(id) ?? 0;
    for (const child of byId.get(id)?.children ?? []) sum += subtree(child);
    inclusive.set(id, sum);
    return sum;
  };
  for (const node of profile.nodes) subtree(node.id);

  // The same function appears under many call paths: sum by label. A recursive function's
  // total counts its nested calls again; fine for a ranking.
  const sum = (values: Map<number, number>, keep: (node: ProfileNode) => boolean) => {
    const byLabel = new Map<string, number>();
    for (const [id, us] of values) {
      const node = byId.get(id);
      if (node === undefined || !keep(node)) continue;
      byLabel.set(label(node), (byLabel.get(label(node)) ?? 0) + us);
    }
    return [...byLabel].sort((a, b) => b[1] - a[1]).slice(0, top);
  };
  const line = ([name, us]: [string, number]) =>
    `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`;
  return [
    `CPU profile ${path}: ${(total / 1000).toFixed(0)} ms sampled`,
    'self time:',
    ...sum(self, () => true).map(line),
    'total time, repository code:',
    ...sum(inclusive, isOwnCode).map(line),
  ].join('\n');
}
