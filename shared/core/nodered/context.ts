/**
 * Which Node-RED context values become Fieldgraph variables. Global context is the gateway-wide
 * store as it is (`global.name`). A tab's `flow.count` is read as `vars.count` only when change nodes or function code of that one tab are what set
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

/**
 * The global context names (the part before the first dot) that some node of the export sets:
 * function or setup code with `global.set("name", …)`, change rules setting or moving into
 * `global.name`. A name read but in none of these may come from Node-RED's settings.js.
 */
export const globalNames = (nodes: Iterable<RedNode>): Set<string> => {
  const out = new Set<string>();
  const add = (key: unknown) => {
    const head = typeof key === 'string' ? key.split(/[.[]/)[0] : undefined;
    if (head) out.add(head);
  };
  for (const n of nodes) {
    if (n.type === 'change' && Array.isArray(n.rules))
      for (const rule of n.rules as {
        t?: unknown;
        p?: unknown;
        pt?: unknown;
        to?: unknown;
        tot?: unknown;
      }[]) {
        if (rule?.pt === 'global' && rule.t === 'set') add(rule.p);
        if (rule?.tot === 'global' && rule.t === 'move') add(rule.to);
      }
    for (const code of [n.func, n.initialize])
      if (typeof code === 'string')
        for (const m of code.matchAll(/\bglobal\.set\(\s*["'`]([^"'`]{1,80})["'`]/g)) add(m[1]);
  }
  return out;
};
