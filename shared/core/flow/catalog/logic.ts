/**
 * Logic kinds: branch, wait, shape and count messages between triggers and actions. Nodes
 * that hold messages over time (delay, debounce, wait, join) use run-owned timers, which the
 * engine persists, so they survive a gateway restart.
 */
import { Type } from '@sinclair/typebox';
import { shapeOfCelType } from '../../expr/cel';
import {
  expression,
  inPort,
  outPort,
  port,
  requiredText,
  seconds,
  sizes,
  timeZoneProblems,
  withPayload,
} from './helpers';
import type { Message, NodeKind, StepContext, TimerId } from './types';

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

const delay: NodeKind = {
  kind: 'logic.delay',
  category: 'logic',
  title: 'Delay',
  doc: 'Holds each message for a time, then sends it on. Pending delays survive a gateway restart.',
  icon: 'clock',
  config: Type.Object({ seconds: seconds('How long to hold each message', 5) }),
  inputs: inPort,
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const ms = Number(config.seconds) * 1000;
    return {
      receive: (ctx, message) => void ctx.startTimer(ms, message),
      onTimer: (ctx, data) => ctx.send('out', data as Message),
    };
  },
};

const waitEvent: NodeKind = {
  kind: 'logic.wait-event',
  category: 'logic',
  title: 'Wait for event',
  doc: 'Holds the message until a role emits an event (then `out`), or until the timeout (then `timeout`).',
  icon: 'hourglass',
  config: Type.Object({
    role: requiredText('The role to wait for'),
    event: requiredText('The event to wait for'),
    timeoutSeconds: seconds('Give up after this long', 60),
  }),
  inputs: inPort,
  outputs: [port('out', 'event'), port('timeout', 'timeout')],
  expressions: [],
  roleRefs: [{ roleField: 'role', memberField: 'event', member: 'event' }],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const ms = Number(config.timeoutSeconds) * 1000;
    return {
      waitsFor: { role: String(config.role), event: String(config.event) },
      receive: (ctx, message) => void ctx.startTimer(ms, message),
      onTimer: (ctx, data) => ctx.send('timeout', data as Message),
      onEvent: (ctx, data) => ctx.send('out', data as Message),
    };
  },
};

const debounce: NodeKind = {
  kind: 'logic.debounce',
  category: 'logic',
  title: 'Debounce',
  doc: 'Sends the last message once no new message came for the given time (a burst becomes one message).',
  icon: 'waves',
  config: Type.Object({ seconds: seconds('Quiet time before sending', 1) }),
  inputs: inPort,
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const ms = Number(config.seconds) * 1000;
    return {
      receive: (ctx, message) => {
        if (typeof ctx.state.timer === 'number') ctx.cancelTimer(ctx.state.timer);
        ctx.state.timer = ctx.startTimer(ms, message);
      },
      onTimer: (ctx, data) => {
        delete ctx.state.timer;
        ctx.send('out', data as Message);
      },
    };
  },
};

const throttle: NodeKind = {
  kind: 'logic.throttle',
  category: 'logic',
  title: 'Throttle',
  doc: 'Sends at most one message per period; messages inside the period are dropped.',
  icon: 'gauge',
  config: Type.Object({ seconds: seconds('Minimum time between messages', 1) }),
  inputs: inPort,
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const ms = Number(config.seconds) * 1000;
    return {
      receive: (ctx, message) => {
        const now = ctx.now();
        const last = typeof ctx.state.last === 'number' ? ctx.state.last : -Infinity;
        if (now - last < ms) return;
        ctx.state.last = now;
        ctx.send('out', message);
      },
    };
  },
};

const setVariable: NodeKind = {
  kind: 'logic.set-variable',
  category: 'logic',
  title: 'Set variable',
  doc: 'Stores the value of an expression in a flow variable (`vars.name` in later expressions and runs).',
  icon: 'variable',
  config: Type.Object({
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', description: 'Variable name' }),
    value: expression('CEL expression for the value', 'payload'),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'value' }],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const name = String(config.name);
    const value = compile(String(config.value ?? 'payload'));
    return {
      receive: (ctx, message) => {
        ctx.setVariable(name, ctx.evaluate(value, message));
        ctx.send('out', message);
      },
    };
  },
};

const transform: NodeKind = {
  kind: 'logic.transform',
  category: 'logic',
  title: 'Transform',
  doc: 'Replaces the payload with an expression, and/or sets fields of an object payload (`set: {alert: "true"}`).',
  icon: 'wand',
  config: Type.Object({
    payload: Type.Optional(Type.String({ description: 'CEL expression for the new payload' })),
    set: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.String({ minLength: 1 }), {
        description: 'Fields to set on the payload object, each a CEL expression',
      }),
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
  expressions: [{ path: 'payload' }, { path: 'set', each: true }],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const replace =
      typeof config.payload === 'string' && config.payload.trim() ? compile(config.payload) : undefined;
    const names = Object.keys((config.set ?? {}) as Record<string, string>);
    const values = names.map((name) => compile((config.set as Record<string, string>)[name]!));
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
        ctx.send('out', withPayload(message, payload));
      },
    };
  },
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

const clockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour' });

/** Minutes since local midnight and weekday (0 = Sunday) of `ms` in `timeZone` (or the system's). */
export const localClock = (ms: number, timeZone?: string): { minutes: number; weekday: number } => {
  const parts = new Intl.DateTimeFormat('en-US', {
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), weekday };
};

const timeWindow: NodeKind = {
  kind: 'logic.time-window',
  category: 'logic',
  title: 'Time window',
  doc: 'Sends the message to `inside` between two clock times on the chosen weekdays (windows may cross midnight), else to `outside`.',
  icon: 'clock-4',
  config: Type.Object({
    after: clockTime,
    before: clockTime,
    weekdays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
      default: [0, 1, 2, 3, 4, 5, 6],
      description: '0 = Sunday … 6 = Saturday',
    }),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone; the gateway’s when empty' })),
  }),
  inputs: inPort,
  outputs: [port('inside', 'inside'), port('outside', 'outside')],
  checkConfig: (config) => timeZoneProblems(config.timezone),
  expressions: [],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }) => {
    const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    const after = toMinutes(String(config.after));
    const before = toMinutes(String(config.before));
    const days = new Set((config.weekdays as number[] | undefined) ?? [0, 1, 2, 3, 4, 5, 6]);
    const timeZone = typeof config.timezone === 'string' && config.timezone ? config.timezone : undefined;
    return {
      receive: (ctx, message) => {
        const { minutes, weekday } = localClock(ctx.now(), timeZone);
        const inTime =
          after <= before ? minutes >= after && minutes < before : minutes >= after || minutes < before;
        ctx.send(inTime && days.has(weekday) ? 'inside' : 'outside', message);
      },
    };
  },
};

const joinInputs = (config: Record<string, unknown>) =>
  Array.from({ length: Math.min(8, Math.max(2, Number(config.inputs ?? 2))) }, (_, i) =>
    port(`in${i + 1}`, `in ${i + 1}`),
  );

interface JoinState {
  timer?: TimerId;
  got?: Record<string, unknown>;
}

const join: NodeKind = {
  kind: 'logic.join',
  category: 'logic',
  title: 'Join',
  doc: '`all`: waits until every input got a message, then sends `{in1: …, in2: …}`; `any`: passes the first and ignores the rest until the timeout. Unfinished joins go to `timeout`.',
  icon: 'merge',
  config: Type.Object({
    mode: Type.Union([Type.Literal('all'), Type.Literal('any')], { default: 'all' }),
    inputs: Type.Integer({ minimum: 2, maximum: 8, default: 2 }),
    timeoutSeconds: seconds('How long to wait for the others', 30),
  }),
  inputs: joinInputs,
  outputs: [port('out', 'joined'), port('timeout', 'timeout', { type: 'object' })],
  outputShape: (config, ctx) => (config.mode === 'any' ? ctx.input : { type: 'object' }),
  expressions: [],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const names = joinInputs(config).map((p) => p.name);
    const ms = Number(config.timeoutSeconds) * 1000;
    const any = config.mode === 'any';
    const reset = (ctx: StepContext, state: JoinState) => {
      if (state.timer !== undefined) ctx.cancelTimer(state.timer);
      delete state.timer;
      delete state.got;
    };
    return {
      receive: (ctx, message, inputPort) => {
        const state = ctx.state as JoinState;
        if (any) {
          if (state.timer !== undefined) return;
          state.timer = ctx.startTimer(ms, null);
          ctx.send('out', message);
          return;
        }
        state.got = { ...state.got, [inputPort]: message.payload };
        state.timer ??= ctx.startTimer(ms, null);
        if (names.every((n) => Object.hasOwn(state.got ?? {}, n))) {
          const payload = state.got;
          reset(ctx, state);
          ctx.send('out', withPayload(message, payload));
        }
      },
      onTimer: (ctx) => {
        const state = ctx.state as JoinState;
        const partial = state.got;
        delete state.timer;
        delete state.got;
        if (!any) ctx.send('timeout', { payload: partial ?? {} });
      },
    };
  },
};

/** All logic kinds. */
export const logicKinds: readonly NodeKind[] = [
  ifKind,
  switchKind,
  compare,
  delay,
  waitEvent,
  debounce,
  throttle,
  setVariable,
  transform,
  counter,
  timeWindow,
  join,
];
