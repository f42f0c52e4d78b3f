/**
 * Logic kinds that hold messages over time: delay, wait for an event, debounce, throttle,
 * time window and join. Their timers are run-owned and persisted by the engine, so they
 * survive a gateway restart.
 */
import { Type } from '@sinclair/typebox';
import {
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

const MAX_DELAY_SECONDS = 31_536_000;

const delay: NodeKind = {
  kind: 'logic.delay',
  category: 'logic',
  title: 'Delay',
  doc: 'Holds each message for a time, then sends it on. With `secondsFrom`, each message sets its own time (an expression such as `has(msg.delay) ? msg.delay / 1000.0 : null`; null keeps `seconds`). Pending delays survive a gateway restart.',
  icon: 'clock',
  config: Type.Object({
    seconds: seconds('How long to hold each message', 5),
    secondsFrom: Type.Optional(
      Type.String({
        description: "CEL expression for this message's delay in seconds; null keeps `seconds`",
        'x-fieldgraph-widget': 'cel',
      }),
    ),
  }),
  inputs: inPort,
  outputs: outPort,
  expressions: [{ path: 'secondsFrom' }],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }, { compile }) => {
    const ms = Number(config.seconds) * 1000;
    const from =
      typeof config.secondsFrom === 'string' && config.secondsFrom.trim()
        ? compile(config.secondsFrom)
        : undefined;
    const delayOf = (ctx: StepContext, message: Message): number => {
      if (!from) return ms;
      const value = ctx.evaluate(from, message);
      if (value === null || value === undefined) return ms;
      if (typeof value !== 'number' || Number.isNaN(value))
        throw new Error(`The delay expression gave ${typeof value}; a number of seconds is needed.`);
      if (value > MAX_DELAY_SECONDS)
        throw new Error(`The delay expression gave ${value} s; at most ${MAX_DELAY_SECONDS} s (a year).`);
      return Math.max(0, value) * 1000;
    };
    return {
      receive: (ctx, message) => void ctx.startTimer(delayOf(ctx, message), message),
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
        // Cancelling by node, not by a remembered id, also catches a timer restored after a restart.
        ctx.cancelNodeTimers();
        ctx.startTimer(ms, message);
      },
      onTimer: (ctx, data) => ctx.send('out', data as Message),
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

/** All timing kinds. */
export const timingKinds: readonly NodeKind[] = [delay, waitEvent, debounce, throttle, timeWindow, join];
