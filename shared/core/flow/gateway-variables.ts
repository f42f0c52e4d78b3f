/**
 * Gateway-wide variables: values every flow of the package installed on one gateway shares, read
 * as `global.<name>` in CEL and written by Set variable nodes whose scope is `gateway` (Node-RED's
 * global context). Which names a package sets is known from its flows alone, so the engine keeps
 * only those across a package update and the validator warns about a name nobody sets.
 */
import { MESSAGE_PROPERTY_LIMITS } from './catalog/message';

/**
 * Bounds on the gateway-wide store: how many names, and per value the message-property bounds
 * (characters as JSON, depth). The count is higher than a message's because one package's flows
 * together name them, and every name is a literal in some Set variable node.
 */
export const GATEWAY_VARIABLE_LIMITS = {
  count: 256,
  depth: MESSAGE_PROPERTY_LIMITS.depth,
  chars: MESSAGE_PROPERTY_LIMITS.chars,
} as const;

/** The Set variable kind, and the scope value that makes it write a gateway-wide variable. */
const SET_VARIABLE = 'logic.set-variable';
const GATEWAY = 'gateway';

interface NodeLike {
  readonly kind?: unknown;
  readonly config?: unknown;
}

/**
 * The gateway-wide variable names that Set variable nodes of `flows` write, in order of first
 * appearance. Any document is accepted: what is not a flow with such nodes adds nothing.
 */
export const gatewayVariablesSet = (flows: Iterable<unknown>): string[] => {
  const names = new Set<string>();
  for (const flow of flows) {
    const nodes = (flow as { nodes?: unknown } | null)?.nodes;
    if (!Array.isArray(nodes)) continue;
    for (const node of nodes as NodeLike[]) {
      const config = node?.config as { scope?: unknown; name?: unknown } | undefined;
      if (node?.kind === SET_VARIABLE && config?.scope === GATEWAY && typeof config.name === 'string')
        names.add(config.name);
    }
  }
  return [...names];
};

const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

/**
 * The gateway-wide variable names a CEL expression reads (`global.name`, `global["name"]`,
 * `has(global.name)`); names inside string literals do not count.
 */
export const gatewayVariablesRead = (source: string): string[] => {
  const names = new Set<string>();
  for (const m of source.matchAll(/\bglobal\s*\[\s*(?:"([^"\\]{1,64})"|'([^'\\]{1,64})')\s*\]/g))
    names.add((m[1] ?? m[2])!);
  const code = source.replace(STRING, '""');
  for (const m of code.matchAll(/(?<![.\w])global\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return [...names];
};
