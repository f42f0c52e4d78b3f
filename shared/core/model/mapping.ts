/**
 * Value mappings at run time: convert a device's representation to the capability's (forward,
 * decode) and back (reverse, encode), and check a mapping for gaps and overlaps before it is used.
 */
import { checkHaTemplate, renderHaTemplate, TemplateError, type HaTemplate } from './ha-template';
import type { DataSchema, Mapping, MappingRef } from './schemas';

/** The outcome of one conversion: the value, or why it could not be converted. */
export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** Which way to convert: device→capability (`forward`) or capability→device (`reverse`). */
export type Way = 'forward' | 'reverse';

const done = (value: unknown): Converted => ({ ok: true, value });
const refuse = (reason: string): Converted => ({ ok: false, reason });

/** Same JSON value: primitives by identity, arrays and objects by content. */
export const sameJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

const round = (x: number, decimals: number | undefined): number => {
  if (decimals === undefined) return x;
  const f = 10 ** decimals;
  // Adding 0 turns -0 into 0 so a rounded zero compares and prints as 0.
  return Math.round(x * f) / f + 0;
};

const applies = (mapping: Mapping, way: Way): boolean => {
  const direction = mapping.direction ?? 'symmetric';
  return direction === 'symmetric' || direction === way;
};

const enumConvert = (m: Extract<Mapping, { kind: 'enum' }>, x: unknown, way: Way): Converted => {
  const equal = (a: unknown, b: unknown) =>
    m.ignoreCase && way === 'forward' && typeof a === 'string' && typeof b === 'string'
      ? a.toLowerCase() === b.toLowerCase()
      : sameJson(a, b);
  for (const pair of m.pairs) {
    const [from, to] = way === 'forward' ? [pair.device, pair.value] : [pair.value, pair.device];
    if (equal(from, x)) return done(to);
  }
  const known = m.pairs.map((p) => show(way === 'forward' ? p.device : p.value)).join(', ');
  return refuse(`${show(x)} is not one of ${known}`);
};

const linearConvert = (m: Extract<Mapping, { kind: 'linear' }>, x: unknown, way: Way): Converted => {
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isFinite(n)) return refuse(`${show(x)} is not a number`);
  const [from, to] = way === 'forward' ? [m.device, m.value] : [m.value, m.device];
  if (from[0] === from[1]) return refuse('the mapping range has zero width');
  let y = to[0] + ((n - from[0]) * (to[1] - to[0])) / (from[1] - from[0]);
  if (m.clamp) y = Math.min(Math.max(y, Math.min(...to)), Math.max(...to));
  return done(round(y, way === 'forward' ? m.decimals : m.deviceDecimals));
};

const rangeConvert = (m: Extract<Mapping, { kind: 'ranges' }>, x: unknown, way: Way): Converted => {
  if (way === 'forward') {
    const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isFinite(n)) return refuse(`${show(x)} is not a number`);
    const band = m.bands.find((b) => n >= b.min && n < b.max);
    return band ? done(band.value) : refuse(`${n} falls in no band`);
  }
  const band = m.bands.find((b) => sameJson(b.value, x));
  if (!band) return refuse(`${show(x)} is the value of no band`);
  if (band.representative === undefined)
    return refuse(`the band for ${show(x)} names no representative device value`);
  return done(band.representative);
};

const parseConvert = (m: Extract<Mapping, { kind: 'parse' }>, x: unknown, way: Way): Converted => {
  if (way === 'reverse') return done(m.as === 'json' ? JSON.stringify(x) : String(x));
  if (typeof x !== 'string') {
    // A JSON payload may already carry the typed value; pass it through when it fits.
    if (m.as === 'json') return done(x);
    if (m.as === 'boolean' && typeof x === 'boolean') return done(x);
    if ((m.as === 'number' || m.as === 'integer') && typeof x === 'number') {
      return m.as === 'integer' && !Number.isInteger(x) ? refuse(`${x} is not a whole number`) : done(x);
    }
    return refuse(`${show(x)} is not text`);
  }
  const text = x.trim();
  switch (m.as) {
    case 'number':
    case 'integer': {
      const n = text === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) return refuse(`${show(x)} is not a number`);
      if (m.as === 'integer' && !Number.isInteger(n)) return refuse(`${show(x)} is not a whole number`);
      return done(n);
    }
    case 'boolean':
      if (text === 'true') return done(true);
      if (text === 'false') return done(false);
      return refuse(`${show(x)} is neither "true" nor "false"`);
    case 'json':
      try {
        return done(JSON.parse(text));
      } catch {
        return refuse(`${show(x)} is not JSON`);
      }
  }
};

// Templates come from a few hundred entities but run for every message: compile each once.
const templates = new Map<string, HaTemplate | string>();

const templateConvert = (m: Extract<Mapping, { kind: 'template' }>, x: unknown): Converted => {
  let compiled = templates.get(m.template);
  if (compiled === undefined) {
    const checked = checkHaTemplate(m.template);
    compiled = checked.ok ? checked.template : checked.reason;
    if (templates.size > 5000) templates.clear();
    templates.set(m.template, compiled);
  }
  if (typeof compiled === 'string') return refuse(`the template ${compiled}`);
  try {
    return done(renderHaTemplate(compiled, x));
  } catch (error) {
    if (error instanceof TemplateError) return refuse(error.message);
    throw error;
  }
};

/** Converts one value with one mapping; a mapping that does not apply in this direction passes the value through. */
export const convert = (mapping: Mapping, x: unknown, way: Way): Converted => {
  if (!applies(mapping, way)) return done(x);
  switch (mapping.kind) {
    case 'enum':
      return enumConvert(mapping, x, way);
    case 'linear':
      return linearConvert(mapping, x, way);
    case 'ranges':
      return rangeConvert(mapping, x, way);
    case 'parse':
      return parseConvert(mapping, x, way);
    case 'template':
      return templateConvert(mapping, x);
  }
};

/** Resolves mapping references against a model's named mappings; unknown names give a reason. */
export const resolveMappings = (
  refs: readonly MappingRef[] | undefined,
  named: Readonly<Record<string, Mapping>> | undefined,
): { ok: true; mappings: Mapping[] } | { ok: false; reason: string } => {
  const mappings: Mapping[] = [];
  for (const ref of refs ?? []) {
    if (typeof ref !== 'string') mappings.push(ref);
    else if (named && Object.hasOwn(named, ref)) mappings.push(named[ref]!);
    else return { ok: false, reason: `the mapping "${ref}" is not defined in the model's mappings` };
  }
  return { ok: true, mappings };
};

/** Decodes a device value into a capability value: applies the chain in order. */
export const decodeValue = (chain: readonly Mapping[], raw: unknown): Converted => {
  let x = raw;
  for (const m of chain) {
    const r = convert(m, x, 'forward');
    if (!r.ok) return r;
    x = r.value;
  }
  return done(x);
};

/** Encodes a capability value into the device's representation: applies the chain backwards. */
export const encodeValue = (chain: readonly Mapping[], value: unknown): Converted => {
  let x = value;
  for (let i = chain.length - 1; i >= 0; i--) {
    const r = convert(chain[i]!, x, 'reverse');
    if (!r.ok) return r;
    x = r.value;
  }
  return done(x);
};

/** One finding of a mapping check, located relative to the mapping. */
export interface MappingFinding {
  /** `mapping.gap` (a value with no counterpart), `mapping.overlap` (one input, two outputs) or `mapping.invalid`. */
  readonly code: 'mapping.gap' | 'mapping.overlap' | 'mapping.invalid';
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

const capabilityValues = (data: DataSchema | undefined): unknown[] | undefined =>
  data?.enum ?? (data?.type === 'boolean' ? [true, false] : undefined);

/**
 * Checks a mapping for gaps (values of the capability with no device value, bands with holes)
 * and overlaps (one input with two outputs). `data` is the capability's type, when known.
 */
export const checkMapping = (mapping: Mapping, data?: DataSchema): MappingFinding[] => {
  const findings: MappingFinding[] = [];
  const direction = mapping.direction ?? 'symmetric';
  const add = (
    code: MappingFinding['code'],
    severity: MappingFinding['severity'],
    path: string,
    message: string,
    hint: string,
  ) => findings.push({ code, severity, path, message, hint });
  switch (mapping.kind) {
    case 'enum': {
      mapping.pairs.forEach((p, i) => {
        const earlier = mapping.pairs.findIndex((q) => sameJson(q.device, p.device));
        if (earlier < i && !sameJson(mapping.pairs[earlier]!.value, p.value)) {
          add(
            'mapping.overlap',
            'error',
            `pairs.${i}.device`,
            `the device value ${show(p.device)} appears twice with different values (overlap)`,
            'Keep one pair per device value.',
          );
        }
        const earlierValue = mapping.pairs.findIndex((q) => sameJson(q.value, p.value));
        if (
          direction !== 'forward' &&
          earlierValue < i &&
          !sameJson(mapping.pairs[earlierValue]!.device, p.device)
        ) {
          add(
            'mapping.invalid',
            'warning',
            `pairs.${i}.value`,
            `the value ${show(p.value)} maps back to ${show(mapping.pairs[earlierValue]!.device)} only; this pair is used forward only`,
            'Set "direction": "forward" if that is meant, or remove the duplicate.',
          );
        }
      });
      const wanted = capabilityValues(data);
      if (wanted && direction !== 'forward') {
        for (const v of wanted) {
          if (!mapping.pairs.some((p) => sameJson(p.value, v))) {
            add(
              'mapping.gap',
              'error',
              'pairs',
              `the capability value ${show(v)} has no device value (gap)`,
              `Add a pair {"device": …, "value": ${show(v)}}.`,
            );
          }
        }
      }
      if (wanted) {
        mapping.pairs.forEach((p, i) => {
          if (!wanted.some((v) => sameJson(v, p.value))) {
            add(
              'mapping.invalid',
              'error',
              `pairs.${i}.value`,
              `${show(p.value)} is not a value the capability allows`,
              `Use one of ${wanted.map(show).join(', ')}.`,
            );
          }
        });
      }
      break;
    }
    case 'linear':
      if (mapping.device[0] === mapping.device[1]) {
        add(
          'mapping.invalid',
          'error',
          'device',
          'the device range has zero width',
          'Give two different device values, e.g. [0, 255].',
        );
      }
      if (mapping.value[0] === mapping.value[1]) {
        add(
          'mapping.invalid',
          'error',
          'value',
          'the value range has zero width',
          'Give two different capability values, e.g. [0, 100].',
        );
      }
      break;
    case 'ranges': {
      const order = mapping.bands.map((b, i) => ({ ...b, i })).sort((a, b) => a.min - b.min);
      for (const b of order) {
        if (!(b.min < b.max)) {
          add(
            'mapping.invalid',
            'error',
            `bands.${b.i}`,
            `the band [${b.min}, ${b.max}) is empty`,
            'Make "min" smaller than "max".',
          );
        }
      }
      for (let k = 1; k < order.length; k++) {
        const prev = order[k - 1]!;
        const cur = order[k]!;
        if (cur.min > prev.max) {
          add(
            'mapping.gap',
            'warning',
            `bands.${cur.i}.min`,
            `no band covers [${prev.max}, ${cur.min}) (gap)`,
            `Start this band at ${prev.max} or end the previous one at ${cur.min}.`,
          );
        } else if (cur.min < prev.max) {
          add(
            'mapping.overlap',
            'error',
            `bands.${cur.i}.min`,
            `the bands [${prev.min}, ${prev.max}) and [${cur.min}, ${cur.max}) overlap`,
            `Start this band at ${prev.max}.`,
          );
        }
      }
      if (direction !== 'forward') {
        mapping.bands.forEach((b, i) => {
          if (b.representative === undefined) {
            add(
              'mapping.invalid',
              'error',
              `bands.${i}`,
              'the band has no "representative" device value, so it cannot be converted back',
              'Add "representative", or set "direction": "forward".',
            );
          } else if (!(b.representative >= b.min && b.representative < b.max)) {
            add(
              'mapping.invalid',
              'error',
              `bands.${i}.representative`,
              `${b.representative} lies outside its band [${b.min}, ${b.max})`,
              'Pick a representative inside the band.',
            );
          }
        });
      }
      break;
    }
    case 'parse':
      break;
    case 'template': {
      const checked = checkHaTemplate(mapping.template);
      if (!checked.ok)
        add(
          'mapping.invalid',
          'error',
          'template',
          `the template ${checked.reason}`,
          'Use the common subset (value_json.x, float, int, round, lower, upper, default, is defined).',
        );
      break;
    }
  }
  return findings;
};
