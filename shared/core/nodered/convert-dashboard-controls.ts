/**
 * Node-RED dashboard controls (button, switch, slider, numeric, dropdown, text input; 1.x `ui_*`
 * and Dashboard 2 `ui-*`) as Panel control triggers. A control that messages enter in Node-RED
 * becomes two nodes so every wire is kept: the wires enter a Show on panel node (display
 * control) that sets the control's state — or, for a button, a Transform that presses it — and
 * the trigger gives the control's output wires.
 */
import type { Placement, WidgetContext } from './convert-dashboard';
import { text, type Conversion, type Note, type Piece, type RedNode, type Subgraph } from './types';
import { celLiteral, celString, typedValue } from './values';

type Control = 'button' | 'switch' | 'slider' | 'number' | 'dropdown' | 'text';

/** The Node-RED control types and the panel control each becomes. */
export const CONTROL_TYPES: Readonly<Record<string, Control>> = {
  ui_button: 'button',
  'ui-button': 'button',
  ui_switch: 'switch',
  'ui-switch': 'switch',
  ui_slider: 'slider',
  'ui-slider': 'slider',
  ui_numeric: 'number',
  'ui-number-input': 'number',
  ui_dropdown: 'dropdown',
  'ui-dropdown': 'dropdown',
  ui_text_input: 'text',
  'ui-text-input': 'text',
};

/** A JSON value a Node-RED typed value stands for, or the CEL that computes it when the control is used. */
type Fixed = { json: unknown } | { cel: string } | { reason: string };

const fixed = (value: unknown, type: string, flowVars: ReadonlySet<string>): Fixed => {
  const s = text(value);
  switch (type) {
    case 'str':
      return { json: s };
    case 'num': {
      const x = Number(s);
      return s.trim() !== '' && Number.isFinite(x)
        ? { json: x }
        : { reason: `“${s}”, which is not a number` };
    }
    case 'bool':
      return s === 'true' || s === 'false'
        ? { json: s === 'true' }
        : { reason: `“${s}”, which is not true or false` };
    case 'json':
      try {
        return { json: JSON.parse(s) as unknown };
      } catch {
        return { reason: `the JSON value “${s.slice(0, 40)}”, which does not parse` };
      }
    case 'bin':
      return { reason: 'a buffer, which a panel value is not' };
    case 'msg':
      // Pressing a control starts a new message: no property of one is there to read.
      return { reason: `msg.${s}, which a press has no message to read from` };
    default: {
      const v = typedValue(s, type, flowVars);
      return 'cel' in v ? v : { reason: v.reason };
    }
  }
};

/** The topic a control's messages carry: a fixed string only (Node-RED's `topic`/`topicType`). */
const topicOf = (n: RedNode, note: Note, hasInput: boolean): { topic?: string } => {
  const type = text(n.topicType) || 'str';
  const topic = text(n.topic).trim();
  if (type === 'str') return topic ? { topic: topic.slice(0, 256) } : {};
  if (type === 'msg' && hasInput)
    note(
      'changed',
      `Its topic came from msg.${topic || 'topic'} of the last message into it; the panel’s messages carry none.`,
    );
  else if (type !== 'msg')
    note('changed', `Its topic, read from ${type} “${topic.slice(0, 40)}” when used, was left out.`);
  return {};
};

const numberOr = (v: unknown, fallback: number): number => {
  const x = Number(v);
  return text(v).trim() !== '' && Number.isFinite(x) ? x : fallback;
};

/** What a control sends, as trigger config, plus CEL to compute it after the trigger when it is not fixed. */
type Sends = { config: Record<string, unknown>; after?: string } | { reason: string };

const button = (n: RedNode, flowVars: ReadonlySet<string>): Sends => {
  const type = text(n.payloadType) || 'str';
  // node-red-dashboard 1.x sends its node's id when the payload is empty.
  const raw = n.type === 'ui_button' && type === 'str' && text(n.payload) === '' ? n.id : n.payload;
  if (type === 'date') return { config: { value: true }, after: 'now' };
  const v = fixed(raw, type, flowVars);
  if ('reason' in v) return { reason: `It sends ${v.reason}.` };
  return 'json' in v ? { config: { value: v.json } } : { config: { value: true }, after: v.cel };
};

const switchValues = (n: RedNode, flowVars: ReadonlySet<string>): Sends => {
  const on = fixed(n.onvalue ?? true, text(n.onvalueType) || 'bool', flowVars);
  const off = fixed(n.offvalue ?? false, text(n.offvalueType) || 'bool', flowVars);
  for (const v of [on, off]) {
    if ('reason' in v) return { reason: `It sends ${v.reason}.` };
    if ('cel' in v)
      return {
        reason:
          'Its on or off value is computed when used (a timestamp or a context value); a panel switch sends fixed values.',
      };
  }
  const [a, b] = [(on as { json: unknown }).json, (off as { json: unknown }).json];
  if (JSON.stringify(a) === JSON.stringify(b)) return { reason: 'Its on and off values are the same.' };
  return { config: { on: a, off: b } };
};

const range = (n: RedNode, note: Note, defaultMax: number): Sends => {
  let min = numberOr(n.min, 0);
  let max = numberOr(n.max, defaultMax);
  const step = numberOr(n.step, 1);
  if (min > max) {
    [min, max] = [max, min];
    note(
      'changed',
      'It ran from its larger end to its smaller one; the panel’s runs from smaller to larger.',
    );
  }
  if (min === max) return { reason: `Its range ${min} to ${max} is empty.` };
  return { config: { min, max, step: step > 0 ? step : 1 } };
};

const dropdown = (n: RedNode): Sends => {
  if (n.multiple === true || n.multiple === 'true')
    return { reason: 'It lets several choices be picked at once; a panel dropdown sends one.' };
  const raw = Array.isArray(n.options)
    ? (n.options as { label?: unknown; value?: unknown; type?: unknown }[])
    : [];
  const options: { label: string; value: unknown }[] = [];
  for (const o of raw.slice(0, 64)) {
    const v = fixed(o?.value, text(o?.type) || 'str', new Set());
    if (!('json' in v)) return { reason: `An option sends ${'reason' in v ? v.reason : 'a context value'}.` };
    const label = (text(o?.label).trim() || text(o?.value)).slice(0, 64);
    if (label && !options.some((x) => JSON.stringify(x.value) === JSON.stringify(v.json)))
      options.push({ label, value: v.json });
  }
  if (raw.length > 64)
    return { reason: `It offers ${raw.length} options; a panel dropdown offers at most 64.` };
  if (options.length === 0)
    return {
      reason:
        'It has no options of its own; they came from messages (msg.options), which the panel does not take.',
    };
  return { config: { options } };
};

const TEXT_MODES = new Set(['text', 'email', 'tel']);

const textInput = (n: RedNode, note: Note): Sends => {
  const mode = text(n.mode) || 'text';
  if (!TEXT_MODES.has(mode)) return { reason: `It asks for a ${mode}, which the panel’s text box does not.` };
  if (mode !== 'text')
    note('changed', `It was a ${mode} field; the panel’s text box does not check what is typed.`);
  return { config: {} };
};

const sendsOf = (control: Control, n: RedNode, note: Note, flowVars: ReadonlySet<string>): Sends => {
  switch (control) {
    case 'button':
      return button(n, flowVars);
    case 'switch':
      return switchValues(n, flowVars);
    case 'slider':
      return range(n, note, 10);
    case 'number':
      return range(n, note, 10);
    case 'dropdown':
      return dropdown(n);
    case 'text':
      return textInput(n, note);
  }
};

/** Whether Node-RED passed a message that entered the control on to its output. */
const passesOn = (n: RedNode, control: Control): boolean => {
  if (control === 'button') return n.type === 'ui-button' ? n.emulateClick === true : n.passthru === true;
  // Dashboard 2's number and text inputs pass on unless told not to.
  const byDefault = n.type === 'ui-number-input' || n.type === 'ui-text-input';
  return n.passthru === undefined ? byDefault : n.passthru === true || n.passthru === 'true';
};

const INPUT_LOST = 'msg.enabled, msg.ui_control, msg.ui_update and label or colour changes are not acted on';

/** Converts one control; `ctx` says where it sits and whether wires enter it. */
export const convertControl = (n: RedNode, note: Note, ctx: WidgetContext): Conversion => {
  const control = CONTROL_TYPES[n.type]!;
  const sends = sendsOf(control, n, note, ctx.flowVars);
  if ('reason' in sends) return sends;
  const topic = topicOf(n, note, ctx.hasInput);
  const trigger: Piece = {
    key: 'control',
    kind: 'trigger.panel',
    config: { ...ctx.placement, control, ...sends.config, ...topic },
  };
  const pieces: Piece[] = [];
  const links: Subgraph['links'][number][] = [];
  const out: (readonly [string, string])[] = [];
  const passOn = ctx.hasInput && passesOn(n, control);
  if (ctx.hasInput) pieces.push(entry(n, control, ctx.placement, sends, topic, passOn, note));
  pieces.push(pieces.length ? { ...trigger, dx: 0, dy: 90 } : trigger);
  out.push(['control', 'out']);
  if (sends.after !== undefined) {
    // A value read when the control is used (a timestamp, a variable) is set after the trigger.
    pieces.push({
      key: 'value',
      kind: 'logic.transform',
      config: { payload: sends.after },
      dx: 240,
      dy: pieces.length > 1 ? 90 : 0,
    });
    links.push({ from: ['control', 'out'], to: ['value', 'in'] });
    out[0] = ['value', 'out'];
  }
  if (passOn) out.push(['main', 'out']);
  return { graph: { pieces, links, outputs: [out] } };
};

/** The node that takes the wires into a control: what a message into it does in Node-RED. */
const entry = (
  n: RedNode,
  control: Control,
  placement: Placement,
  sends: { config: Record<string, unknown>; after?: string },
  topic: { topic?: string },
  passOn: boolean,
  note: Note,
): Piece => {
  if (control === 'button') {
    if (!passOn) {
      note(
        'changed',
        `Messages into it only changed how it looks or its later topic in Node-RED; here they end at a Transform that does nothing (${INPUT_LOST}).`,
      );
      return { key: 'main', kind: 'logic.transform', config: {} };
    }
    note('changed', `A message into it presses it, as in Node-RED (${INPUT_LOST}).`);
    const value = sends.after ?? celLiteral(sends.config.value);
    return {
      key: 'main',
      kind: 'logic.transform',
      config: { payload: value, ...(topic.topic ? { topic: celString(topic.topic) } : {}) },
    };
  }
  // node-red-dashboard 1.x: unless its indicator follows the input, a message does not move a switch.
  const followedOutput = n.type === 'ui_switch' && !passOn && text(n.decouple) !== 'true';
  note(
    'changed',
    followedOutput
      ? `Its indicator showed what it last sent, so a message into it did not move it in Node-RED; here a message sets it (${INPUT_LOST}).`
      : passOn
        ? `A message into it sets the control and passes on unchanged; Node-RED first turned its payload into the control’s own value and, for some controls, passed it on only when the value changed (${INPUT_LOST}).`
        : `A message into it sets the control without starting a run, as in Node-RED (${INPUT_LOST}).`,
  );
  return {
    key: 'main',
    kind: 'action.panel-show',
    config: { ...placement, display: 'control', value: 'payload', min: 0, max: 100, points: 100 },
  };
};
