/**
 * Logic kinds that act on each message at once: branch, compare, set variables, transform and
 * count. Kinds that hold messages over time are in timing.ts.
 */
import { Type } from '@sinclair/typebox';
import { shapeOfCelType, type CompiledExpression } from '../../expr/cel';
import { expression, inPort, outPort, port, sizes, withPayload } from './helpers';
import { MESSAGE_PROPERTY_NAME, propertyNameProblem, withProperties } from './message';
import type { Message, NodeKind, StepContext } from './types';

const boolPorts = [port('true', 'true'), port('false', 'false')];

const ifKind: NodeKind = {
  kind: 'logic.if',
  category: 'logic',
  title: 'If',
  doc: 'Sends the message to `true` when the condition holds, otherwise to `false`.',
  icon: 'git-branch',
  config: Type.Object({ condition: expression('CEL condition, e.g. payload.temp > 25') }),
  inputs: inPort,
  outputs: boolPorts,
  expressions: [{ path: 'condition', expects: 'bool' }],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const condition = compile(String(config.condition));
    return {
      receive: (ctx, message) =>
        ctx.send(ctx.evaluate(condition, message) === true ? 'true' : 'false', message),
    };
  },
};

const switchRule = Type.Object({
  port: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,32}$',
    description: 'Name of the output port for this rule',
  }),
  when: expression('CEL condition for this rule'),
});

const switchKind: NodeKind = {
  kind: 'logic.switch',
  category: 'logic',
  title: 'Switch',
  doc: 'Sends the message to the port of each rule that holds (or only the first, with `firstMatch`); `otherwise` when none does.',
  icon: 'shuffle',
  config: Type.Object({
    rules: Type.Array(switchRule, { minItems: 1, default: [{ port: 'rule-1', when: 'true' }] }),
    firstMatch: Type.Boolean({ default: true }),
  }),
  inputs: inPort,
  outputs: (config) => [
    ...(Array.isArray(config.rules) ? (config.rules as { port: string }[]) : []).map((r) =>
      port(r.port, r.port),
    ),
    port('otherwise', 'otherwise'),
  ],
  checkConfig: (config) => {
    const names = (Array.isArray(config.rules) ? (config.rules as { port?: unknown }[]) : []).map(
      (r) => r.port,
    );
    return names.flatMap((name, i) =>
      name === 'otherwise' || names.indexOf(name) !== i
        ? [{ path: `rules.${i}.port`, message: `the port name "${String(name)}" is already taken` }]
        : [],
    );
  },
  expressions: [{ path: 'rules.*.when', expects: 'bool' }],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const rules = (config.rules as { port: string; when: string }[]).map((r) => ({
      port: r.port,
      when: compile(r.when),
    }));
    const firstMatch = config.firstMatch !== false;
    return {
      receive: (ctx, message) => {
        let matched = false;
        for (const rule of rules) {
          if (ctx.evaluate(rule.when, message) !== true) continue;
          matched = true;
          ctx.send(rule.port, message);
          if (firstMatch) break;
        }
        if (!matched) ctx.send('otherwise', message);
      },
    };
  },
};

const comparators = {
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
} as const;

const compare: NodeKind = {
  kind: 'logic.compare',
  category: 'logic',
  title: 'Compare',
  doc: 'Compares a numeric payload with a value and sends it to `true` or `false`.',
  icon: 'scale',
  config: Type.Object({
    operator: Type.Union(
      Object.keys(comparators).map((k) => Type.Literal(k)),
      { default: '>' },
    ),
    value: Type.Number({ default: 0 }),
  }),
  inputs: [port('in', 'number', { type: 'number' })],
  outputs: boolPorts,
  expressions: [],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }) => {
    const test = comparators[String(config.operator) as keyof typeof comparators];
    const value = Number(config.value);
    return {
      receive: (ctx, message) => {
        if (typeof message.payload !== 'number') {
          throw new Error(`Compare needs a number payload, got ${typeof message.payload}.`);
        }
        ctx.send(test(message.payload, value) ? 'true' : 'false', message);
      },
    };
  },
};

const setVariable: NodeKind = {
  kind: 'logic.set-variable',
  category: 'logic',
  title: 'Set variable',
  doc: 'Stores the value of an expression in a flow variable (`vars.name`), or with scope `gateway` in a gateway-wide variable every flow of the package on that gateway shares (`global.name`).',
  icon: 'variable',
  config: Type.Object({
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', description: 'Variable name' }),
    value: expression('CEL expression for the value', 'payload'),
    scope: Type.Union([Type.Literal('flow'), Type.Literal('gateway')], {
      default: 'flow',
      description: 'Scope: this flow (vars.name) or gateway-wide, shared by every flow (global.name)',
    }),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'value' }],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const name = String(config.name);
    const value = compile(String(config.value ?? 'payload'));
    const scope = config.scope === 'gateway' ? 'gateway' : 'flow';
    return {
      receive: (ctx, message) => {
        ctx.setVariable(name, ctx.evaluate(value, message), scope);
        ctx.send('out', message);
      },
    };
  },
};

const propertyName = Type.String({ pattern: MESSAGE_PROPERTY_NAME.source });

const transform: NodeKind = {
  kind: 'logic.transform',
  category: 'logic',
  title: 'Transform',
  doc: 'Replaces the payload with an expression, and/or sets fields of an object payload (`set: {alert: "true"}`); can also set the topic and named message properties (`msg.command` in later nodes) or remove them. Topic and properties are computed from the message as it came in.',
  icon: 'wand',
  config: Type.Object({
    payload: Type.Optional(Type.String({ description: 'CEL expression for the new payload' })),
    set: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.String({ minLength: 1 }), {
        description: 'Fields to set on the payload object, each a CEL expression',
      }),
    ),
    topic: Type.Optional(Type.String({ description: 'CEL expression for the new topic (text)' })),
    properties: Type.Optional(
      Type.Record(propertyName, Type.String({ minLength: 1 }), {
        description: 'Message properties to set (msg.name), each a CEL expression',
      }),
    ),
    remove: Type.Optional(
      Type.Array(propertyName, { description: 'Message properties to remove', maxItems: 32 }),
    ),
  }),
  inputs: inPort,
  outputs: outPort,
  outputShape: (config, ctx) => {
    if (config.set && Object.keys(config.set).length > 0) return { type: 'object' };
    if (typeof config.payload !== 'string' || !config.payload.trim()) return ctx.input;
    const type = ctx.expressionType('payload');
    return type ? shapeOfCelType(type) : {};
  },
  checkConfig: (config) =>
    Object.keys((config.properties ?? {}) as Record<string, unknown>).flatMap((name) => {
      const problem = propertyNameProblem(name);
      return problem ? [{ path: `properties.${name}`, message: problem }] : [];
    }),
  expressions: [
    { path: 'payload' },
    { path: 'set', each: true },
    { path: 'topic', expects: 'string' },
    { path: 'properties', each: true },
  ],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const replace =
      typeof config.payload === 'string' && config.payload.trim() ? compile(config.payload) : undefined;
    const names = Object.keys((config.set ?? {}) as Record<string, string>);
    const values = names.map((name) => compile((config.set as Record<string, string>)[name]!));
    const topic = typeof config.topic === 'string' && config.topic.trim() ? compile(config.topic) : undefined;
    const props = Object.entries((config.properties ?? {}) as Record<string, string>).map(
      ([name, source]) => [name, compile(source)] as const,
    );
    const remove = Array.isArray(config.remove) ? (config.remove as string[]) : [];
    const touchesMessage = topic !== undefined || props.length > 0 || remove.length > 0;
    return {
      receive: (ctx, message) => {
        let payload = replace ? ctx.evaluate(replace, message) : message.payload;
        if (names.length > 0) {
          const base =
            typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {};
          const next: Record<string, unknown> = { ...base };
          const input = payload === message.payload ? message : withPayload(message, payload);
          // Index loop: this runs per message on the hot path, without iterator allocations.
          for (let i = 0; i < names.length; i++) next[names[i]!] = ctx.evaluate(values[i]!, input);
          payload = next;
        }
        if (!touchesMessage) {
          ctx.send('out', withPayload(message, payload));
          return;
        }
        ctx.send('out', rewrite(ctx, message, payload, topic, props, remove));
      },
    };
  },
};

/** The message a Transform sends when it also sets the topic or named properties. */
const rewrite = (
  ctx: StepContext,
  message: Message,
  payload: unknown,
  topic: CompiledExpression | undefined,
  props: readonly (readonly [string, CompiledExpression])[],
  remove: readonly string[],
): Message => {
  const set: Record<string, unknown> = {};
  for (const [name, value] of props) set[name] = ctx.evaluate(value, message);
  let nextTopic = message.topic;
  if (topic) {
    const value = ctx.evaluate(topic, message);
    if (typeof value !== 'string')
      throw new Error(
        `The topic expression gave ${value === null ? 'null' : typeof value}; a topic is text.`,
      );
    nextTopic = value;
  }
  const base = withProperties(message, set, remove);
  const out: Message = { ...base, payload };
  if (nextTopic === undefined) return out;
  return { ...out, topic: nextTopic };
};

const counter: NodeKind = {
  kind: 'logic.counter',
  category: 'logic',
  title: 'Counter',
  doc: 'Counts messages on `in` (by `step`) and sends the count; a message on `reset` sets it back to `initial`. Kept across restarts.',
  icon: 'hash',
  config: Type.Object({ step: Type.Number({ default: 1 }), initial: Type.Number({ default: 0 }) }),
  inputs: [port('in', 'count'), port('reset', 'reset')],
  outputs: [port('out', 'count', { type: 'number' })],
  expressions: [],
  roleRefs: [],
  persistsState: true,
  size: sizes.logic,
  create: ({ config }) => {
    const step = Number(config.step ?? 1);
    const initial = Number(config.initial ?? 0);
    return {
      receive: (ctx, message, inputPort) => {
        const current = typeof ctx.state.count === 'number' ? ctx.state.count : initial;
        const count = inputPort === 'reset' ? initial : current + step;
        ctx.state.count = count;
        ctx.send('out', withPayload(message, count));
      },
    };
  },
};

/** All logic kinds. */
export const logicKinds: readonly NodeKind[] = [ifKind, switchKind, compare, setVariable, transform, counter];
