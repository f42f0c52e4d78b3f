/**
 * Conversions of the Node-RED nodes that hold state or shape sequences — trigger, rbe, range,
 * template, split, join — into small groups of catalog nodes (Throttle, Delay, Debounce, If,
 * Set variable, Transform, Split, Collect) that do the same.
 */
import {
  chain,
  single,
  text,
  type Conversion,
  type Note,
  type Piece,
  type RedNode,
  type Subgraph,
} from './types';
import { celLiteral, celString, msgPath, typedValue } from './values';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, min: 60, hr: 3600 };

/** A flow variable name for a node's remembered value. */
const varName = (prefix: string, id: string) => `${prefix}_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 64);

/** The CEL of a trigger node's value, `undefined` for “the message as it came”, or a reason. */
const triggerValue = (value: unknown, type: string): { cel?: string } | { reason: string } => {
  if (type === 'pay' || type === 'payl') return {};
  const v = typedValue(value, type === 'val' ? 'str' : type);
  return 'cel' in v ? { cel: v.cel } : v;
};

const trigger = (n: RedNode, note: Note): Conversion => {
  const seconds = Number(n.duration ?? 250) * (UNITS[text(n.units) || 'ms'] ?? 0.001);
  if (!(seconds > 0))
    return {
      reason:
        seconds < 0
          ? 'It repeats its first value until reset, which no Fieldgraph node does.'
          : 'It waits for a reset message before sending again, which no Fieldgraph node does.',
    };
  const op1type = text(n.op1type) || 'str';
  const op2type = text(n.op2type) || 'str';
  const first = op1type === 'nul' ? undefined : triggerValue(n.op1, op1type);
  const second = op2type === 'nul' ? undefined : triggerValue(n.op2, op2type);
  for (const v of [first, second]) if (v && 'reason' in v) return { reason: `It sends ${v.reason}.` };
  const extend = n.extend === true || n.extend === 'true';
  const pieces: Piece[] = [];
  const links: { from: readonly [string, string]; to: readonly [string, string] }[] = [];
  const outputs: (readonly [string, string])[][] = [[], []];
  // Without “extend”, Node-RED ignores messages until the time is up: a Throttle at the door.
  pieces.push(
    extend
      ? { key: 'main', kind: 'logic.transform', config: {} }
      : { key: 'main', kind: 'logic.throttle', config: { seconds } },
  );
  const valueAfter = (from: string, key: string, v: { cel?: string }, dx: number, dy: number): string => {
    if (v.cel === undefined) return from;
    pieces.push({ key, kind: 'logic.transform', config: { payload: v.cel }, dx, dy });
    links.push({ from: [from, 'out'], to: [key, 'in'] });
    return key;
  };
  if (first && !('reason' in first)) {
    let from = 'main';
    if (extend) {
      pieces.push({ key: 'once', kind: 'logic.throttle', config: { seconds }, dx: 200, dy: -40 });
      links.push({ from: ['main', 'out'], to: ['once', 'in'] });
      from = 'once';
    }
    outputs[0]!.push([valueAfter(from, 'first', first, 400, -40), 'out']);
  }
  if (second && !('reason' in second)) {
    const wait = extend ? 'logic.debounce' : 'logic.delay';
    pieces.push({ key: 'wait', kind: wait, config: { seconds }, dx: 200, dy: 50 });
    links.push({ from: ['main', 'out'], to: ['wait', 'in'] });
    const two = Number(n.outputs) === 2 ? 1 : 0;
    outputs[two]!.push([valueAfter('wait', 'second', second, 400, 50), 'out']);
  }
  if (op2type === 'payl' && !extend)
    note('changed', 'The second message carries the first payload, not the latest one.');
  if (text(n.reset) || n.overrideDelay === true)
    note('changed', 'Reset messages and msg.delay are not supported.');
  if (text(n.bytopic) === 'topic')
    note('changed', 'It timed each topic apart; the nodes time all messages together.');
  const graph: Subgraph = { pieces, links, outputs: Number(n.outputs) === 2 ? outputs : [outputs[0]!] };
  return { graph };
};

const rbe = (n: RedNode, note: Note): Conversion => {
  const func = text(n.func) || 'rbe';
  const path = msgPath(text(n.property) || 'payload');
  if (!path)
    return { reason: `It compares msg.${text(n.property)}, which Fieldgraph messages do not carry.` };
  const name = varName('last', n.id);
  const last = `vars.${name}`;
  let condition: string;
  if (func === 'rbe') condition = `!has(${last}) || ${path} != ${last}`;
  else if (func === 'rbei') condition = `has(${last}) && ${path} != ${last}`;
  else if (func === 'deadband' || func === 'deadbandEq') {
    const gap = text(n.gap).trim();
    if (gap.endsWith('%') || !Number.isFinite(Number(gap)))
      return { reason: `Its band “${gap}” is relative to the last value, which these nodes do not compute.` };
    const op = func === 'deadbandEq' ? '>=' : '>';
    const d = celLiteral(Number(gap));
    condition = `!has(${last}) || ${path} - ${last} ${op} ${d} || ${last} - ${path} ${op} ${d}`;
  } else return { reason: `Its “${func}” mode has no equivalent here.` };
  if (text(n.septopics) !== 'false' && n.septopics !== false)
    note('changed', 'It kept a last value per topic; the nodes keep one for all messages.');
  // `in` compares with the last message that came, `out` (the default) with the last one sent.
  const byInput = text(n.inout) === 'in' || func === 'rbei';
  const pieces: Piece[] = [
    { key: 'main', kind: 'logic.if', config: { condition } },
    { key: 'keep', kind: 'logic.set-variable', config: { name, value: path }, dx: 220, dy: -30 },
  ];
  const links: { from: readonly [string, string]; to: readonly [string, string] }[] = [
    { from: ['main', 'true'], to: ['keep', 'in'] },
  ];
  if (byInput) {
    pieces.push({ key: 'seen', kind: 'logic.set-variable', config: { name, value: path }, dx: 220, dy: 40 });
    links.push({ from: ['main', 'false'], to: ['seen', 'in'] });
  }
  return { graph: { pieces, links, outputs: [[['keep', 'out']]] } };
};

const range = (n: RedNode): Conversion => {
  const path = msgPath(text(n.property) || 'payload');
  if (!path || path === 'topic')
    return { reason: `It scales msg.${text(n.property)}, which Fieldgraph messages do not carry.` };
  const [minin, maxin, minout, maxout] = [n.minin, n.maxin, n.minout, n.maxout].map(Number);
  if (![minin, maxin, minout, maxout].every(Number.isFinite) || minin === maxin)
    return { reason: 'Its ranges are not numbers.' };
  const action = text(n.action) || 'scale';
  if (action === 'roll')
    return { reason: 'It wraps values around the range, which CEL has no remainder of decimals for.' };
  const lit = (v: number) => celLiteral(v);
  let cel = `(${path} - ${lit(minin!)}) * ${lit((maxout! - minout!) / (maxin! - minin!))} + ${lit(minout!)}`;
  if (action === 'clamp') {
    const [lo, hi] = [Math.min(minout!, maxout!), Math.max(minout!, maxout!)].map(lit);
    cel = `(${cel}) < ${lo} ? ${lo} : ((${cel}) > ${hi} ? ${hi} : (${cel}))`;
  }
  if (n.round === true || n.round === 'true') cel = `double(int((${cel}) + 0.5))`;
  return path === 'payload'
    ? single('logic.transform', { payload: cel })
    : /^payload\.[A-Za-z0-9_-]+$/.test(path)
      ? single('logic.transform', { set: { [path.slice('payload.'.length)]: cel } })
      : { reason: `It scales ${path}, deeper than the top level a Transform sets.` };
};

/**
 * A mustache template of `{{path}}` tags on the message as CEL string concatenation (`escaped`
 * when a `{{x}}` tag HTML-escaped in Node-RED), or why it cannot be.
 */
export const mustacheCel = (template: string): { cel: string; escaped: boolean } | { reason: string } => {
  const parts: string[] = [];
  let at = 0;
  let escaped = false;
  // `{{{x}}}` and `{{&x}}` insert as is, `{{x}}` HTML-escaped; in `{{x}}}` the last brace is text.
  for (const m of template.matchAll(/\{\{\{\s*([^{}]*?)\s*\}\}\}|\{\{\s*([^{}]*?)\s*\}\}/g)) {
    let tag = m[1] ?? m[2]!;
    if (m[2] !== undefined && tag.startsWith('&')) tag = tag.slice(1).trim();
    else if (m[2] !== undefined) escaped = true;
    if (/^[#^/!>&=]/.test(tag)) return { reason: 'Its template has mustache sections or partials.' };
    if (/^(flow|global|env)\./.test(tag))
      return { reason: `Its template reads ${tag}, which has no equivalent here.` };
    const path = msgPath(tag);
    if (!path) return { reason: `Its template reads msg.${tag}, which Fieldgraph messages do not carry.` };
    if (m.index! > at) parts.push(celString(template.slice(at, m.index)));
    parts.push(path === 'topic' ? 'topic' : `string(${path})`);
    at = m.index! + m[0].length;
  }
  if (at < template.length || parts.length === 0) parts.push(celString(template.slice(at)));
  return { cel: parts.join(' + '), escaped };
};

const template = (n: RedNode, note: Note): Conversion => {
  if ((text(n.fieldType) || 'msg') !== 'msg' || (text(n.field) || 'payload') !== 'payload')
    return {
      reason: `It writes ${text(n.fieldType) || 'msg'}.${text(n.field)}; a Transform writes the payload.`,
    };
  const output = text(n.output) || 'str';
  if (output !== 'str' && output !== 'json')
    return { reason: `It parses its result as ${output.toUpperCase()}, which no Fieldgraph node reads.` };
  const body = text(n.template);
  const plain = text(n.syntax) === 'plain' || !/\{\{/.test(body);
  if (output === 'json' && plain) {
    // A fixed JSON text is a fixed value; one that does not parse fails every message in Node-RED.
    try {
      return single('logic.transform', { payload: celLiteral(JSON.parse(body)) });
    } catch {
      return { reason: 'Its JSON does not parse, so Node-RED fails every message it gets.' };
    }
  }
  const cel = plain ? { cel: celString(body), escaped: false } : mustacheCel(body);
  if ('reason' in cel) return cel;
  if (cel.escaped)
    note(
      'changed',
      'Its {{…}} tags HTML-escaped text values in Node-RED (& < > " \' became entities); here text is inserted as it is.',
    );
  if (output === 'str') return single('logic.transform', { payload: cel.cel });
  // The text the template fills in, then parsed, as Node-RED does with output “Parsed JSON”.
  return chain([
    { key: 'main', kind: 'logic.transform', config: { payload: cel.cel } },
    { key: 'parse', kind: 'logic.json', config: { mode: 'parse' }, dx: 220, dy: 0 },
  ]);
};

const split = (n: RedNode, note: Note): Conversion => {
  if ((text(n.spltType) || 'str') !== 'str')
    return { reason: 'It cuts text into fixed lengths or binary parts.' };
  if (Number(n.arraySplt ?? 1) !== 1) return { reason: 'It cuts lists into chunks of more than one item.' };
  note(
    'changed',
    'The parts carry no sequence information (msg.parts); a Collect after them counts or times them.',
  );
  return single('logic.split', { separator: typeof n.splt === 'string' ? n.splt : '\n' });
};

const join = (n: RedNode): Conversion => {
  const mode = text(n.mode) || 'auto';
  if (mode === 'auto')
    return { reason: 'It rebuilds what a Split cut (msg.parts); use a Collect with a count or a time.' };
  if (mode === 'reduce') return { reason: 'It reduces the sequence with a JSONata expression.' };
  if ((text(n.build) || 'array') !== 'array')
    return { reason: `It builds ${text(n.build)} values; a Collect builds lists.` };
  const count = Math.max(0, Math.floor(Number(n.count) || 0));
  const seconds = Math.max(0, Number(n.timeout) || 0);
  if (count === 0 && seconds === 0)
    return { reason: 'It waits for a message marked complete (msg.complete).' };
  return single('logic.collect', { count, seconds });
};

const json = (n: RedNode): Conversion => {
  const path = text(n.property) || 'payload';
  if (path !== 'payload') return { reason: `It converts msg.${path}; a JSON node converts the payload.` };
  const action = text(n.action);
  return single('logic.json', { mode: action === 'obj' ? 'parse' : action === 'str' ? 'write' : 'auto' });
};

const NO_EQUIVALENT: Record<string, string> = {
  status: 'It reacts to node status, which Fieldgraph nodes do not report.',
  complete: 'It reacts to a node finishing a message, which Fieldgraph traces instead.',
  'link call': 'It calls a link and waits for its return; use a Run flow node.',
  exec: 'It runs a program on the host, which Fieldgraph flows never do.',
  comment: 'It is a comment.',
};

/** The rest of the palette: sequence and stateful nodes, or the reason there is no equivalent. */
export const convertMore = (n: RedNode, note: Note): Conversion => {
  switch (n.type) {
    case 'trigger':
      return trigger(n, note);
    case 'rbe':
    case 'filter':
      return rbe(n, note);
    case 'range':
      return range(n);
    case 'template':
      return template(n, note);
    case 'split':
      return split(n, note);
    case 'join':
      return join(n);
    case 'json':
      return json(n);
    default:
      return {
        reason:
          NO_EQUIVALENT[n.type] ??
          (n.type.startsWith('subflow:')
            ? 'It is an instance of a subflow; the subflow’s own nodes are imported as a flow of their own.'
            : n.type.startsWith('ui_') || n.type.startsWith('ui-')
              ? 'It is a dashboard widget; Fieldgraph has no dashboard.'
              : `Fieldgraph has no node that does what “${n.type}” does.`),
      };
  }
};
