/**
 * Graph checks of the validator: which nodes a trigger reaches, and loops with nothing that
 * waits. Linear in nodes + edges (Tarjan's strongly connected components).
 */
import type { Flow } from './schema';

/** Node ids reachable from the given start nodes along edges. */
export const reachableFrom = (flow: Flow, starts: readonly string[]): Set<string> => {
  const next = adjacency(flow);
  const seen = new Set(starts);
  const stack = [...starts];
  while (stack.length > 0) {
    for (const to of next.get(stack.pop()!) ?? []) {
      if (seen.has(to)) continue;
      seen.add(to);
      stack.push(to);
    }
  }
  return seen;
};

/** Groups of nodes that form loops (each group a strongly connected component with a cycle). */
export const loopsOf = (flow: Flow): string[][] => {
  const next = adjacency(flow);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  let counter = 0;
  // Iterative Tarjan: flows can be long chains, and recursion depth must not follow their length.
  for (const root of flow.nodes.map((n) => n.id)) {
    if (index.has(root)) continue;
    const work: { id: string; edges: string[]; i: number }[] = [
      { id: root, edges: next.get(root) ?? [], i: 0 },
    ];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, edges: next.get(to) ?? [], i: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== frame.id);
      const selfLoop = group.length === 1 && (next.get(frame.id) ?? []).includes(frame.id);
      if (group.length > 1 || selfLoop) loops.push(group.reverse());
    }
  }
  return loops;
};

const adjacency = (flow: Flow): Map<string, string[]> => {
  const next = new Map<string, string[]>();
  for (const e of flow.edges) {
    const list = next.get(e.from.node);
    if (list) list.push(e.to.node);
    else next.set(e.from.node, [e.to.node]);
  }
  return next;
};
