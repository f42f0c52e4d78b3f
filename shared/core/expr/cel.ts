/**
 * Expressions in flows (conditions, transforms, templates) are CEL, run by
 * @marcbachmann/cel-js: no eval, no Function, no parser of our own. An expression is parsed
 * once when a flow is deployed and evaluated per message (~155 ns for `payload.temp > 25.0`);
 * at design time it is type-checked against the shapes of the payload and the roles in scope.
 *
 * Every expression sees the same variables: `payload` (the message payload), `topic` (the
 * MQTT topic or ""), `msg` (the whole message as a map: its named properties such as
 * `msg.command`, with `msg.payload` and `msg.topic`), `vars` (the flow's variables, a map),
 * `global` (the gateway-wide variables every flow of the package shares, a map), `roles` (the last known property values of each role, `roles["hallway-light"].on`) and `now`
 * (milliseconds since the epoch). Functions named `js…` and `json…` (javascript.ts, javascript-random.ts) give
 * JavaScript's results, for flows converted from Node-RED function code; functions named
 * `jsonata…` (jsonata-values.ts) give JSONata's, for converted JSONata expressions. `msg` is typed as a
 * map of any values at design time: a property's type is known only when the message arrives.
 * Numbers from devices and JSON are doubles; integer literals mix with them freely.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { DataShape, RoleInScope } from '../flow/scope';
import { withJavaScript } from './javascript';
import { withJavaScriptRandom } from './javascript-random';
import { withJsonata } from './jsonata-values';

/** The variables an expression is evaluated against. */
export interface ExpressionContext {
  readonly payload: unknown;
  readonly topic: string;
  /** The whole message (named properties, payload, topic); read only by expressions that use `msg`. */
  readonly msg?: Readonly<Record<string, unknown>>;
  readonly vars: Readonly<Record<string, unknown>>;
  /** The gateway-wide variables every flow of the package shares. */
  readonly global: Readonly<Record<string, unknown>>;
  readonly roles: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly now: number;
}

/**
 * A parsed expression; calling it evaluates against a context and returns plain JSON-able data.
 * `readsMessage` is true when its source names `msg`, so callers build `msg` only then.
 */
export type CompiledExpression = ((context: ExpressionContext) => unknown) & {
  readonly readsMessage?: boolean;
};

/** Result of a design-time check: the inferred CEL type, or what is wrong and where. */
export type ExpressionCheck =
  | { readonly ok: true; readonly type: string }
  | { readonly ok: false; readonly message: string; readonly start?: number; readonly end?: number };

/** What an expression can see at design time. */
export interface ExpressionScope {
  readonly payload: DataShape;
  readonly roles: readonly RoleInScope[];
}

/** Thrown by `compileExpression` for an expression that does not parse. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
}

type Celtype = string | { [field: string]: Celtype };

const toNumber = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));

// CEL keeps int and double apart, but device and JSON numbers are all doubles: without these
// overloads `payload.temp + 1` would fail at run time, a trap no installer should meet.
const withMixedArithmetic = (env: Environment): Environment => {
  const ops: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
  };
  for (const [op, fn] of Object.entries(ops)) {
    env.registerOperator(`double ${op} int`, (a: unknown, b: unknown) => fn(toNumber(a), toNumber(b)));
    env.registerOperator(`int ${op} double`, (a: unknown, b: unknown) => fn(toNumber(a), toNumber(b)));
  }
  return env;
};

// CEL's string() takes only scalars, so a Log node (`string(payload)`) would fail on the object
// payloads most devices send; like Node-RED's debug sidebar, maps, lists and null become JSON text.
const jsonText = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? Number(v) : v instanceof Map ? Object.fromEntries(v) : v,
  ) ?? 'null';

const withJsonText = (env: Environment): Environment =>
  env
    .registerFunction('string(map): string', jsonText)
    .registerFunction('string(list): string', jsonText)
    .registerFunction('string(null): string', jsonText);

const newEnvironment = (): Environment =>
  withJavaScriptRandom(
    withJsonata(
      withJavaScript(
        withJsonText(
          withMixedArithmetic(
            new Environment({ homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000 } }),
          ),
        ),
      ),
    ),
  );

let runtimeEnvironment: Environment | undefined;
const runtime = (): Environment => {
  runtimeEnvironment ??= newEnvironment()
    .registerVariable('payload', 'dyn')
    .registerVariable('topic', 'string')
    .registerVariable('msg', 'map')
    .registerVariable('vars', 'map')
    .registerVariable('global', 'map')
    .registerVariable('roles', 'dyn')
    .registerVariable('now', 'double');
  return runtimeEnvironment;
};

/**
 * Converts a CEL result into plain JSON-able data: ints (bigint) become numbers, bytes stay
 * Uint8Array, timestamps become ISO strings. Values without bigints are returned as they are.
 */
export const toPlainValue = (value: unknown): unknown => {
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'object': {
      if (value === null || value instanceof Uint8Array) return value;
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) {
        if (!value.some((v) => typeof v === 'bigint' || (typeof v === 'object' && v !== null))) return value;
        return value.map(toPlainValue);
      }
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(k)] = toPlainValue(v);
        return out;
      }
      let copy: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value)) {
        const plain = toPlainValue(v);
        if (plain !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = plain;
      }
      return copy ?? value;
    }
    default:
      return value;
  }
};

/**
 * Parses an expression once for repeated evaluation. Throws ExpressionSyntaxError with the
 * parser's message when it does not parse; evaluation errors (a missing key, a bad operand)
 * are thrown per call and belong to the node that evaluated it.
 */
export const compileExpression = (source: string): CompiledExpression => {
  let parsed: (context: ExpressionContext) => unknown;
  try {
    parsed = runtime().parse(source) as unknown as (context: ExpressionContext) => unknown;
  } catch (error) {
    throw new ExpressionSyntaxError(firstLine(error));
  }
  const compiled = wrap(parsed);
  // A word test, not a parse: a false "yes" (msg inside a string) only costs building msg.
  return /\bmsg\b/.test(source) ? Object.assign(compiled, { readsMessage: true }) : compiled;
};

/** The parse error of an expression, or undefined when it parses; for the validator, without compiling twice. */
export const syntaxErrorOf = (source: string): string | undefined => {
  if (syntaxCache.has(source)) return syntaxCache.get(source);
  let message: string | undefined;
  try {
    runtime().parse(source);
  } catch (error) {
    message = firstLine(error);
  }
  if (syntaxCache.size > 5000) syntaxCache.clear();
  syntaxCache.set(source, message);
  return message;
};

const syntaxCache = new Map<string, string | undefined>();

const wrap = (parsed: (context: ExpressionContext) => unknown): CompiledExpression => {
  return (context: ExpressionContext) => {
    const value = parsed(context);
    return typeof value === 'object' || typeof value === 'bigint' ? toPlainValue(value) : value;
  };
};

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0] ?? '';

/** The CEL type a value of this shape has inside an expression. */
export const celTypeOf = (shape: DataShape | undefined): Celtype => {
  switch (shape?.type) {
    case 'boolean':
      return 'bool';
    case 'integer':
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'array':
      return 'list';
    case 'object': {
      const props = Object.entries(shape.properties ?? {});
      if (props.length === 0) return 'map';
      return Object.fromEntries(props.map(([name, inner]) => [name, celTypeOf(inner)]));
    }
    default:
      return 'dyn';
  }
};

const rolesType = (roles: readonly RoleInScope[]): Celtype => {
  if (roles.length === 0) return 'map';
  return Object.fromEntries(
    roles.map((role) => {
      const props = Object.entries(role.capability.properties);
      return [
        role.name,
        props.length === 0 ? 'map' : Object.fromEntries(props.map(([n, s]) => [n, celTypeOf(s)])),
      ];
    }),
  );
};

const register = (env: Environment, name: string, type: Celtype): Environment => {
  if (typeof type === 'string') return env.registerVariable(name, type);
  env.registerVariable({ name, schema: type } as Parameters<Environment['registerVariable']>[0]);
  return withJsonTextOfFields(env, name, type);
};

// Declared fields make each object its own CEL type, which the string(map) overload does not
// take; at run time the same value is a plain map, so string() of it must check as it runs.
// The checker names each generated type, so asking it keeps us off the library's naming scheme.
const withJsonTextOfFields = (env: Environment, path: string, type: Celtype): Environment => {
  if (typeof type === 'string') return env;
  const generated = env.check(path);
  if (generated.valid && generated.type && !generated.type.startsWith('map'))
    env.registerFunction(`string(${generated.type}): string`, jsonText);
  for (const [field, inner] of Object.entries(type))
    withJsonTextOfFields(env, `${path}[${JSON.stringify(field)}]`, inner);
  return env;
};

/**
 * Type-checks an expression at design time against the payload shape and the roles in scope,
 * without evaluating it. With `expected` ('bool', 'string', 'double'), a different result
 * type is a problem too (a condition must be a bool).
 */
export const checkExpression = (
  source: string,
  scope: ExpressionScope,
  expected?: string,
): ExpressionCheck => {
  const payloadType = celTypeOf(scope.payload);
  const payloadKey = JSON.stringify(payloadType);
  const cache = designCache(scope.roles);
  const resultKey = `${payloadKey}\u0000${expected ?? ''}\u0000${source}`;
  const cached = cache.results.get(resultKey);
  if (cached) return cached;
  let env = cache.environments.get(payloadKey);
  if (!env) {
    env = register(designBase(scope.roles), 'payload', payloadType);
    cache.environments.set(payloadKey, env);
  }
  const result = checkWith(env, source, expected);
  // Validation runs on every edit: keep recent answers, forget them all when too many pile up.
  if (cache.results.size > 5000) cache.results.clear();
  cache.results.set(resultKey, result);
  return result;
};

interface DesignCache {
  readonly base: Environment;
  readonly environments: Map<string, Environment>;
  readonly results: Map<string, ExpressionCheck>;
}

const designCaches = new WeakMap<readonly RoleInScope[], DesignCache>();

const designCache = (roles: readonly RoleInScope[]): DesignCache => {
  let cache = designCaches.get(roles);
  if (!cache) {
    const base = register(
      newEnvironment()
        .registerVariable('topic', 'string')
        .registerVariable('msg', 'map')
        .registerVariable('vars', 'map')
        .registerVariable('global', 'map')
        .registerVariable('now', 'double'),
      'roles',
      rolesType(roles),
    );
    cache = { base, environments: new Map(), results: new Map() };
    designCaches.set(roles, cache);
  }
  return cache;
};

// Environments cannot be extended once cloned from, so each payload shape gets its own clone.
const designBase = (roles: readonly RoleInScope[]): Environment => designCache(roles).base.clone();

const checkWith = (env: Environment, source: string, expected?: string): ExpressionCheck => {
  let result: ReturnType<Environment['check']>;
  try {
    result = env.check(source);
  } catch (error) {
    return { ok: false, message: firstLine(error) };
  }
  if (!result.valid) {
    const range = result.error?.range;
    return {
      ok: false,
      message: firstLine(result.error),
      ...(range ? { start: range.start, end: range.end } : {}),
    };
  }
  const type = result.type ?? 'dyn';
  if (expected && type !== 'dyn' && type !== expected && !(expected === 'double' && type === 'int')) {
    return { ok: false, message: `The expression gives a ${type}, but a ${expected} is needed here.` };
  }
  return { ok: true, type };
};

/** The data shape of a CEL result type, so the validator can carry it along an edge. */
export const shapeOfCelType = (type: string): DataShape => {
  if (type === 'bool') return { type: 'boolean' };
  if (type === 'int' || type === 'uint' || type === 'double') return { type: 'number' };
  if (type === 'string') return { type: 'string' };
  if (type.startsWith('list')) return { type: 'array' };
  if (type.startsWith('map')) return { type: 'object' };
  return {};
};
