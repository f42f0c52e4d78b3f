/**
 * Node-RED environment variables the export itself defines, resolved as Node-RED resolves them:
 * a node reads its groups' `env` lists (innermost first), then its tab's (or its subflow's, with
 * the instance's values over the template's, then the instance's tab), then the global
 * environment (the `global-config` node of Node-RED 3.1+), and only then the process environment,
 * which no export holds. Names Node-RED sets itself (NR_NODE_NAME, NR_FLOW_NAME, …) are answered
 * where the export implies their value exactly (an id Node-RED makes up for a subflow's copy is not).
 */
import { text, type RedNode } from './types';

/** A resolved variable: its value, and where the export defines it (for notes). */
export interface EnvValue {
  readonly value: string | number | boolean | object | null;
  readonly where: string;
}

/** A variable the export defines but whose value it does not hold exactly. */
export interface EnvUnknown {
  readonly reason: string;
}

/** What a name resolves to: a value, a reason, or undefined when the export does not define it. */
export type EnvLookup = EnvValue | EnvUnknown | undefined;

interface Layer {
  readonly group?: boolean;
  readonly where: string;
  /** Names the layer answers itself (NR_GROUP_NAME…), before its env list. */
  readonly builtin: (name: string) => EnvLookup;
  readonly entries: readonly unknown[];
  /** The layer's evaluated env list, made on first use. */
  values?: Map<string, EnvLookup>;
}

const MAX_NAME = 200;
const quote = (s: string) => `“${s.slice(0, 60)}”`;
const nameOr = (v: unknown) => (typeof v === 'string' ? v : '');

/** One env entry's value as Node-RED evaluates it (evaluateEnvProperties), env-of-env aside. */
const entryValue = (type: string, value: unknown, where: string): EnvLookup => {
  switch (type) {
    case 'str':
      return { value: value === undefined || value === null ? '' : String(value), where };
    case 'num': {
      const n = Number(value);
      return Number.isFinite(n)
        ? { value: n, where }
        : { reason: `its value “${text(value)}” is not a number` };
    }
    case 'bool':
      return { value: value === 'true' || value === true, where };
    case 'json':
      try {
        return { value: typeof value === 'string' ? (JSON.parse(value) as EnvValue['value']) : null, where };
      } catch {
        return { reason: `its JSON value does not parse` };
      }
    case 'cred':
      return { reason: 'it is a credential, which an export does not hold' };
    case 'jsonata':
      return { reason: 'its value is a JSONata expression' };
    default:
      return { reason: `its value is of type “${type.slice(0, 40)}”` };
  }
};

/**
 * Resolves environment variables for the nodes of an export with subflows inlined: `original`
 * is the export by id, `originOf` maps a subflow copy to the subflow node it copies.
 */
export const envResolver = (
  original: ReadonlyMap<string, RedNode>,
  originOf: ReadonlyMap<string, string>,
): ((nodeId: string, name: string) => EnvLookup) => {
  const layers = new Map<string, Layer>();
  const layer = (key: string, make: () => Layer): Layer => {
    let l = layers.get(key);
    if (!l) layers.set(key, (l = make()));
    return l;
  };
  const envList = (n: RedNode | undefined) => (Array.isArray(n?.env) ? n.env.slice(0, 500) : []);
  const globals = [...original.values()].filter((n) => n.type === 'global-config');
  const globalLayer: Layer = {
    where: 'in the global environment',
    builtin: () => undefined,
    entries: globals.flatMap(envList),
  };

  // A group inside a subflow is one layer per instance: what its env-of-env values name differs.
  const groupLayers = (groupId: unknown, copied: boolean, scope: string): Layer[] => {
    const out: Layer[] = [];
    const seen = new Set<string>();
    for (
      let g = original.get(text(groupId));
      g?.type === 'group' && !seen.has(g.id);
      g = original.get(text(g.g))
    ) {
      seen.add(g.id);
      const group = g;
      out.push(
        layer(`g:${g.id}@${scope}`, () => ({
          group: true,
          where: `on group ${quote(nameOr(group.name) || group.id)}`,
          builtin: (name) =>
            name === 'NR_GROUP_NAME'
              ? { value: nameOr(group.name), where: 'the group’s name' }
              : name === 'NR_GROUP_ID'
                ? copied
                  ? { reason: 'Node-RED gives each subflow instance’s group a new id' }
                  : { value: group.id, where: 'the group’s id' }
                : undefined,
          entries: envList(group),
        })),
      );
    }
    return out;
  };

  /** The layers a node reads, innermost first (its own NR_NODE_* aside). */
  const chainOf = (id: string, depth = 0): Layer[] => {
    const origin = originOf.get(id) ?? id;
    const node = original.get(origin);
    const copied = originOf.has(id);
    const container = original.get(text(node?.z));
    const instId = copied ? id.slice(0, Math.max(0, id.length - origin.length - 1)) : '';
    const out = groupLayers(node?.g, copied, instId);
    if (copied && container?.type === 'subflow' && depth < 16) {
      const inst = original.get(originOf.get(instId) ?? instId);
      const instCopied = originOf.has(instId);
      // The instance's values over the template's, in the template's order.
      const byName = new Map<string, unknown>();
      for (const e of [...envList(container), ...envList(inst)])
        if (e && typeof e === 'object') byName.set(text((e as { name?: unknown }).name), e);
      out.push(
        layer(`s:${instId}`, () => ({
          where: `on subflow ${quote(nameOr(container.name) || container.id)}`,
          builtin: (name) =>
            name === 'NR_SUBFLOW_NAME'
              ? { value: nameOr(inst?.name), where: 'the subflow instance’s name' }
              : name === 'NR_SUBFLOW_ID' && !instCopied
                ? { value: instId, where: 'the subflow instance’s id' }
                : /^NR_(SUBFLOW|FLOW)_/.test(name)
                  ? { reason: `Node-RED sets ${name} inside a subflow from ids it makes up` }
                  : undefined,
          entries: [...byName.values()],
        })),
      );
      // Past the subflow Node-RED reads the flow the instance sits on; whether the instance's
      // groups come first is not certain, so a name they define is left unresolved.
      const outer = chainOf(instId, depth + 1);
      const groups = outer.filter((l) => l.group);
      const unsure: Layer = {
        where: 'around the subflow instance',
        builtin: (name) =>
          /^NR_GROUP_/.test(name) ||
          groups.some((g) =>
            g.entries.some((e) => !!e && typeof e === 'object' && (e as { name?: unknown }).name === name),
          )
            ? {
                reason:
                  'the group the subflow instance sits in defines it, and Node-RED versions differ on reading it',
              }
            : undefined,
        entries: [],
      };
      return [...out, unsure, ...outer.filter((l) => !l.group)];
    }
    if (container?.type === 'tab')
      out.push(
        layer(`t:${container.id}`, () => ({
          where: `on tab ${quote(nameOr(container.label) || container.id)}`,
          builtin: (name) =>
            name === 'NR_FLOW_NAME'
              ? { value: nameOr(container.label), where: 'the tab’s name' }
              : name === 'NR_FLOW_ID'
                ? { value: container.id, where: 'the tab’s id' }
                : undefined,
          entries: envList(container),
        })),
      );
    else if (container?.type === 'subflow')
      // A subflow no instance uses is imported as a flow of its own, with its template's values.
      out.push(
        layer(`s:${container.id}`, () => ({
          where: `on subflow ${quote(nameOr(container.name) || container.id)}`,
          builtin: (name) =>
            /^NR_(SUBFLOW|FLOW)_/.test(name)
              ? { reason: `no instance of the subflow sets ${name}` }
              : undefined,
          entries: envList(container),
        })),
      );
    out.push(globalLayer);
    return out;
  };

  const lookupFrom = (chain: readonly Layer[], from: number, name: string, depth: number): EnvLookup => {
    if (depth > 16) return { reason: 'its definitions refer to one another too deeply' };
    let start = from;
    let key = name;
    if (key.startsWith('$parent.')) {
      key = key.slice('$parent.'.length);
      start++;
    }
    for (let i = start; i < chain.length; i++) {
      const l = chain[i]!;
      const own = l.builtin(key);
      if (own) return own;
      const values = (l.values ??= evaluate(chain, i, depth));
      if (values.has(key)) return values.get(key);
    }
    return undefined;
  };

  /** A layer's env list as Node-RED evaluates it: plain types first, then env-of-env in order. */
  const evaluate = (chain: readonly Layer[], i: number, depth: number): Map<string, EnvLookup> => {
    const l = chain[i]!;
    const values = new Map<string, EnvLookup>();
    const later: { name: string; value: string }[] = [];
    for (const e of l.entries) {
      if (!e || typeof e !== 'object') continue;
      const { name, type, value } = e as { name?: unknown; type?: unknown; value?: unknown };
      if (typeof name !== 'string' || !name || name.length > MAX_NAME) continue;
      if (type === 'env') later.push({ name, value: text(value) });
      else values.set(name, entryValue(typeof type === 'string' ? type : 'str', value, l.where));
    }
    for (const { name, value } of later) {
      const target = value === name ? `$parent.${name}` : value;
      const found = values.has(target)
        ? values.get(target)
        : resolveText(target, (n) =>
            values.has(n) ? values.get(n) : lookupFrom(chain, i + 1, n, depth + 1),
          );
      values.set(name, found ?? { reason: `it names ${target}, which the export does not define` });
    }
    return values;
  };

  return (nodeId: string, name: string): EnvLookup => {
    const origin = originOf.get(nodeId) ?? nodeId;
    const node = original.get(origin);
    const copied = originOf.has(nodeId);
    const chain = chainOf(nodeId);
    return resolveText(name, (n) => {
      if (n === 'NR_NODE_NAME') return { value: nameOr(node?.name), where: 'the node’s name' };
      if (n === 'NR_NODE_ID')
        return copied
          ? { reason: 'Node-RED gives a subflow instance’s nodes new ids' }
          : { value: origin, where: 'the node’s id' };
      if (n === 'NR_NODE_PATH') return { reason: 'its value is a path of ids Node-RED makes up' };
      return lookupFrom(chain, 0, n, 0);
    });
  };
};

/**
 * A typed `env` value as Node-RED reads it: `NAME`, `${NAME}`, or text with `${NAME}` pieces
 * (each replaced by its value as text). Undefined when a name the value needs is not defined.
 */
const resolveText = (value: string, get: (name: string) => EnvLookup): EnvLookup => {
  const whole = /^\$\{([^}]+)\}$/.exec(value);
  if (whole) return get(whole[1]!);
  if (!/\$\{\S+\}/.test(value)) return get(value);
  let reason: string | undefined;
  let missing = false;
  const wheres = new Set<string>();
  const out = value.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const r = get(name);
    if (r === undefined) missing = true;
    else if ('reason' in r) reason ??= r.reason;
    else if (r.value !== null && typeof r.value === 'object') reason ??= `${name} is an object, not text`;
    else {
      wheres.add(r.where);
      return String(r.value);
    }
    return '';
  });
  if (missing) return undefined;
  return reason ? { reason } : { value: out, where: [...wheres].join(', ') };
};
