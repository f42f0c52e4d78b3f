/**
 * Which Node-RED flow context values become Fieldgraph flow variables. A tab's `flow.count`
 * is read as `vars.count` only when change nodes or function code of that one tab are what set
 * it (they become Set variable nodes) and no other tab uses the name (tabs wired by links become
 * one flow, whose variables they would share).
 */
import { referencedNames } from './refs';
import type { RedNode } from './types';

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Per tab id, the flow context names that are flow variables there. */
export const flowVariables = (nodes: Iterable<RedNode>): Map<string, Set<string>> => {
  const list = [...nodes];
  const tabs = new Set(list.filter((n) => n.type === 'tab').map((n) => n.id));
  const setIn = new Map<string, Set<string>>();
  const usedIn = new Map<string, Set<string>>();
  const mark = (map: Map<string, Set<string>>, name: string, tab: string) =>
    map.set(name, (map.get(name) ?? new Set()).add(tab));
  for (const n of list) {
    const tab = typeof n.z === 'string' ? n.z : '';
    for (const [type, name] of referencedNames(n)) if (type === 'flow') mark(usedIn, name, tab);
    if (n.type === 'change' && Array.isArray(n.rules))
      for (const rule of n.rules as { t?: unknown; p?: unknown; pt?: unknown }[])
        if (rule?.pt === 'flow' && rule.t === 'set' && typeof rule.p === 'string') mark(setIn, rule.p, tab);
    for (const code of [n.func, n.initialize, n.finalize])
      if (typeof code === 'string')
        for (const m of code.matchAll(/\bflow\.set\(\s*["'`]([^"'`]{1,80})["'`]/g)) mark(setIn, m[1]!, tab);
  }
  const out = new Map<string, Set<string>>();
  for (const [name, where] of setIn) {
    const [tab] = [...where];
    if (where.size !== 1 || !tabs.has(tab!) || !VARIABLE.test(name)) continue;
    if ([...(usedIn.get(name) ?? [])].some((t) => t !== tab)) continue;
    out.set(tab!, (out.get(tab!) ?? new Set()).add(name));
  }
  return out;
};
