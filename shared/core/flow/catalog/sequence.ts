/**
 * Kinds that reshape messages: Split sends each item of a list (or line of a text) on its own,
 * Collect gathers messages into a list — together what Node-RED's split and join do with a
 * sequence — and JSON turns JSON text into a value and back.
 */
import { Type } from '@sinclair/typebox';
import { inPort, outPort, port, seconds, sizes, withPayload } from './helpers';
import type { NodeKind, TimerId } from './types';

/** Most messages one Split sends for one message; a longer list is an error, not a flood. */
export const MAX_SPLIT = 10_000;

const split: NodeKind = {
  kind: 'logic.split',
  category: 'logic',
  title: 'Split',
  doc: 'Sends each item of a list payload as its own message (each value of an object, each part of a text cut at the separator); any other payload passes as it is.',
  icon: 'split',
  config: Type.Object({
    separator: Type.String({ default: '\n', description: 'Where a text payload is cut' }),
  }),
  inputs: inPort,
  outputs: outPort,
  outputShape: (_config, ctx) => (ctx.input.type === 'array' ? (ctx.input.items ?? {}) : {}),
  expressions: [],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }) => {
    const separator = typeof config.separator === 'string' ? config.separator : '\n';
    return {
      receive: (ctx, message) => {
        const { payload } = message;
        const items = Array.isArray(payload)
          ? payload
          : typeof payload === 'string' && separator !== ''
            ? payload.split(separator)
            : payload !== null && typeof payload === 'object'
              ? Object.values(payload)
              : [payload];
        if (items.length > MAX_SPLIT) {
          throw new Error(`Split got ${items.length} items; at most ${MAX_SPLIT} are sent on.`);
        }
        for (const item of items) ctx.send('out', withPayload(message, item));
      },
    };
  },
};

interface CollectState {
  items?: unknown[];
  timer?: TimerId;
}

const collect: NodeKind = {
  kind: 'logic.collect',
  category: 'logic',
  title: 'Collect',
  doc: 'Gathers message payloads into a list and sends it once `count` messages came, or `seconds` after the first one — whichever is first (0 turns either off).',
  icon: 'merge',
  config: Type.Object({
    count: Type.Integer({ minimum: 0, maximum: MAX_SPLIT, default: 2, description: 'Send after this many' }),
    seconds: seconds('Send what came this long after the first', 0),
  }),
  inputs: inPort,
  outputs: [port('out', 'list', { type: 'array' })],
  checkConfig: (config) =>
    Number(config.count) === 0 && Number(config.seconds) === 0
      ? [{ path: 'count', message: 'with neither a count nor a time it would never send' }]
      : [],
  expressions: [],
  roleRefs: [],
  breaksCycles: true,
  size: sizes.logic,
  create: ({ config }) => {
    const count = Number(config.count ?? 2);
    const ms = Number(config.seconds ?? 0) * 1000;
    return {
      receive: (ctx, message) => {
        const state = ctx.state as CollectState;
        const items = [...(state.items ?? []), message.payload];
        if ((count > 0 && items.length >= count) || items.length >= MAX_SPLIT) {
          if (state.timer !== undefined) ctx.cancelTimer(state.timer);
          delete state.timer;
          delete state.items;
          ctx.send('out', withPayload(message, items));
          return;
        }
        state.items = items;
        if (ms > 0) state.timer ??= ctx.startTimer(ms, null);
      },
      onTimer: (ctx) => {
        const state = ctx.state as CollectState;
        const items = state.items ?? [];
        delete state.timer;
        delete state.items;
        if (items.length) ctx.send('out', { payload: items });
      },
    };
  },
};

const json: NodeKind = {
  kind: 'logic.json',
  category: 'logic',
  title: 'JSON',
  doc: '`parse` turns a JSON text payload into its value, `write` turns the payload into JSON text, `auto` does whichever fits (text is parsed, anything else written). Text that is not JSON is an error.',
  icon: 'braces',
  config: Type.Object({
    mode: Type.Union([Type.Literal('auto'), Type.Literal('parse'), Type.Literal('write')], {
      default: 'auto',
    }),
  }),
  inputs: inPort,
  outputs: outPort,
  outputShape: (config) => (config.mode === 'write' ? { type: 'string' } : undefined),
  expressions: [],
  roleRefs: [],
  size: sizes.logic,
  create: ({ config }) => {
    const mode = config.mode === 'parse' || config.mode === 'write' ? config.mode : 'auto';
    return {
      receive: (ctx, message) => {
        const parse = mode === 'parse' || (mode === 'auto' && typeof message.payload === 'string');
        if (!parse) {
          ctx.send('out', withPayload(message, JSON.stringify(message.payload ?? null)));
          return;
        }
        if (typeof message.payload !== 'string') {
          throw new Error(`JSON can only parse text; the payload is ${typeof message.payload}.`);
        }
        let value: unknown;
        try {
          value = JSON.parse(message.payload);
        } catch (error) {
          throw new Error(`The payload is not JSON: ${(error as Error).message}.`);
        }
        ctx.send('out', withPayload(message, value));
      },
    };
  },
};

/** All kinds that reshape messages. */
export const sequenceKinds: readonly NodeKind[] = [split, collect, json];
