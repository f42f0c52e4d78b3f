/**
 * Payload shapes along a flow for the validator, and the config values of expression fields.
 */
import { checkExpression, syntaxErrorOf, type ExpressionCheck } from '../expr/cel';
import { outputPortsOf, type NodeKind } from './catalog';
import type { FlowEdge, FlowNode } from './schema';
import type { DataShape, RoleInScope } from './scope';

/** A node with its kind and its config with defaults filled in. */
export interface Prepared {
  readonly node: FlowNode;
  readonly kind: NodeKind;
  readonly config: Record<string, unknown>;
}

/** Values at a config path: `value`, `rules.*.when` (each list item), `set` with each = every record value. */
export const valuesAt = (
  config: Record<string, unknown>,
  path: string,
  each: boolean,
): { path: string; value: unknown }[] => {
  const [head, star, ...rest] = path.split('.');
  const value = config[head ?? ''];
  if (star === '*') {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, i) =>
      item && typeof item === 'object'
        ? valuesAt(item as Record<string, unknown>, rest.join('.'), each).map((v) => ({
            path: `${head}.${i}.${v.path}`,
            value: v.value,
          }))
        : [],
    );
  }
  if (each)
    return value && typeof value === 'object'
      ? Object.entries(value).map(([k, v]) => ({ path: `${head}.${k}`, value: v }))
      : [];
  return [{ path: head ?? '', value }];
};

/**
 * Payload shapes along the flow: what leaves each output port (declared by the catalog,
 * narrowed by roles and expressions, or passed through for logic nodes) and what arrives at
 * each node (the common shape of its incoming edges, or anything). Memoised per validation.
 */
export const createShapes = (
  prepared: ReadonlyMap<string, Prepared>,
  incoming: ReadonlyMap<string, FlowEdge[]>,
  roles: readonly RoleInScope[],
) => {
  const outputs = new Map<string, DataShape>();
  const inputs = new Map<string, DataShape>();
  const visiting = new Set<string>();
  const syntax = new Map<string, [string, string][]>();
  const syntaxChecked = new Set<string>();

  const parsed = new Map<string, string | undefined>();
  const syntaxError = (source: string): string | undefined => {
    if (!parsed.has(source)) parsed.set(source, syntaxErrorOf(source));
    return parsed.get(source);
  };

  const check = (source: string, payload: DataShape, expects?: string): ExpressionCheck | 'syntax' =>
    syntaxError(source) === undefined ? checkExpression(source, { payload, roles }, expects) : 'syntax';

  const collectSyntax = (nodeId: string): void => {
    if (syntaxChecked.has(nodeId)) return;
    syntaxChecked.add(nodeId);
    const p = prepared.get(nodeId);
    if (!p) return;
    for (const field of p.kind.expressions) {
      for (const { path, value } of valuesAt(p.config, field.path, field.each === true)) {
        if (typeof value !== 'string' || value.trim() === '') continue;
        const message = syntaxError(value);
        if (message === undefined) continue;
        const list = syntax.get(nodeId) ?? [];
        list.push([path, message]);
        syntax.set(nodeId, list);
      }
    }
  };

  const input = (nodeId: string): DataShape => {
    const known = inputs.get(nodeId);
    if (known) return known;
    const arriving = (incoming.get(nodeId) ?? []).map((e) => output(e.from.node, e.from.port));
    const types = new Set(arriving.map((s) => s.type));
    const shape = arriving.length > 0 && types.size === 1 && !types.has(undefined) ? arriving[0]! : {};
    if (!visiting.has(nodeId)) inputs.set(nodeId, shape);
    return shape;
  };

  const output = (nodeId: string, port: string): DataShape => {
    const memo = `${nodeId}\u0000${port}`;
    const known = outputs.get(memo);
    if (known) return known;
    const p = prepared.get(nodeId);
    // A loop back into a node being computed carries whatever it carries: anything.
    if (!p || visiting.has(nodeId)) return {};
    visiting.add(nodeId);
    const declared = outputPortsOf(p.kind, p.config).find((x) => x.name === port)?.shape ?? {};
    const arriving = p.kind.category === 'trigger' ? {} : input(nodeId);
    const narrowed =
      port === 'out' || port === 'true' || port === 'false'
        ? p.kind.outputShape?.(p.config, {
            roles,
            input: arriving,
            expressionType: (path) => {
              const source = p.config[path];
              if (typeof source !== 'string' || !source.trim()) return undefined;
              const r = check(source, arriving);
              return r !== 'syntax' && r.ok ? r.type : undefined;
            },
          })
        : undefined;
    const shape = narrowed ?? (declared.type || p.kind.category === 'trigger' ? declared : arriving);
    visiting.delete(nodeId);
    outputs.set(memo, shape);
    return shape;
  };

  return {
    input,
    output,
    check,
    syntaxErrors: (nodeId: string) => {
      collectSyntax(nodeId);
      return syntax.get(nodeId) ?? [];
    },
  };
};
