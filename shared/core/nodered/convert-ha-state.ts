/**
 * What Home Assistant's state nodes share: the state text a role's value is rebuilt into, state
 * conditions as CEL over that text, the output properties a conversion keeps, and the notes on
 * what a role leaves out.
 */
import { bindingNote, roleOf, type Domain } from './convert-ha-entities';
import { propertyNameProblem } from '../flow/catalog/message';
import { celString } from './values';
import { text, type Note, type RedNode, type RoleNeed } from './types';

/** Notes what a role leaves out of Home Assistant's states and how it gets bound. */
export const noteRole = (note: Note, role: RoleNeed, domain: Domain): void => {
  if (domain.state?.misses) note('changed', `Its state is rebuilt as text: ${domain.state.misses}.`);
  if (domain.unknown) note('changed', domain.unknown(role.title, role.id));
  const binding = bindingNote(role.capability, role.title);
  if (binding) note('changed', binding);
};

/** Home Assistant's states for an entity it cannot reach or has not heard from yet. */
const ABSENT = new Set(['unavailable', 'unknown']);

/** Node-RED's numeric comparators (the node versions' spellings) as CEL operators. */
const NUMERIC: Readonly<Record<string, string>> = {
  lt: '<',
  '<': '<',
  less_than: '<',
  lte: '<=',
  '<=': '<=',
  gt: '>',
  '>': '>',
  greater_than: '>',
  gte: '>=',
  '>=': '>=',
};

/**
 * A state condition over the CEL text `subject` — is, is not, one of (comma-separated), not one
 * of, starts with — on a text value; with `numeric` (the role's state is a number or its text),
 * less / greater (or equal) than a number, which Home Assistant's nodes compare as numbers. A
 * test for Home Assistant's "unavailable" or "unknown" holds never (is) or always (is not)
 * here, where a role has no state while its device is unreachable: the first is a reason, the
 * second a note. Otherwise why it has no rewrite.
 */
export const conditionOf = (
  value: unknown,
  type: unknown,
  operator: unknown,
  subject = 'payload',
  { numeric = false, note }: { numeric?: boolean; note?: Note } = {},
): { cel?: string } | { reason: string } => {
  const v = text(value);
  if (v === '') return {};
  const t = text(type) || 'str';
  const op = text(operator) || 'is';
  const names = v.split(',').map((x) => x.trim());
  const items = () => `[${names.map((x) => celString(x)).join(', ')}]`;
  if (t === 'num' && NUMERIC[op] && numeric) {
    const n = Number(v);
    if (!Number.isFinite(n) || !/^-?\d+(\.\d+)?$/.test(String(n)))
      return { reason: `Its state condition compares with ${v}, which is not a plain number.` };
    note?.(
      'changed',
      'A state that is not a number stops the run with an error here, where Node-RED’s comparison was false.',
    );
    return { cel: `double(${subject}) ${NUMERIC[op]} ${Number.isInteger(n) ? `${n}.0` : String(n)}` };
  }
  const absent = (t === 'str' ? (op === 'is' || op === 'is_not' ? [v] : names) : []).filter((x) =>
    ABSENT.has(x),
  );
  if (absent.length && (op === 'is' || op === 'includes'))
    return {
      reason: `It tests for Home Assistant's “${absent[0]}” state, which a role never has: a role has no state while its device is unreachable (an availability@1 role of the device reports that).`,
    };
  if (absent.length && (op === 'is_not' || op === 'does_not_include'))
    note?.(
      'changed',
      `Its test that the state is not “${absent.join('”, “')}” always passes here: a role has no state while its device is unreachable, so no such state arrives.`,
    );
  if (t === 'str')
    switch (op) {
      case 'is':
        return { cel: `${subject} == ${celString(v)}` };
      case 'is_not':
        return { cel: `${subject} != ${celString(v)}` };
      case 'includes':
        return { cel: `${subject} in ${items()}` };
      case 'does_not_include':
        return { cel: `!(${subject} in ${items()})` };
      case 'starts_with':
        return { cel: `${subject}.startsWith(${celString(v)})` };
    }
  return { reason: `Its state condition (${op} a ${t} value) has no CEL rewrite over a role's state text.` };
};

/** State types a node may send the state as, besides text. */
export type SentAs = 'habool' | 'num';

/**
 * How a node sends a domain's state: `str` (Home Assistant's text, from the CEL `text`), or
 * another type the domain's state offers (as CEL, from `sent`), or why the role cannot.
 */
export const sentAs = (
  stateType: string,
  domain: Domain,
): { sent?: (v: string) => string } | { reason: string } => {
  if (stateType === 'str') return {};
  const sent = domain.state?.as?.[stateType as SentAs];
  return sent
    ? { sent }
    : {
        reason: `It sends the state as a ${stateType} value, which the role's ${domain.state?.property} is not.`,
      };
};

/** Whether a condition of this value type tests the state's text (and so cannot test a value sent as another type). */
export const testsText = (type: unknown): boolean => (text(type) || 'str') !== 'num';

/** Whether a `for` duration is unset or zero. */
export const isZero = (v: unknown): boolean =>
  v === undefined || v === null || text(v).trim() === '' || Number(v) === 0;

/** What a Home Assistant node puts on the message: CEL per place. */
export interface Places {
  payload?: string;
  topic?: string;
  readonly properties: Record<string, string>;
}

/** Puts a CEL value at a message property; returns why it cannot. */
export type Put = (name: string, cel: string) => string | undefined;

/**
 * Where a node puts the state (`state`), the entity id and other values on the message, from
 * its output properties (or, for versions before them, `legacy`): CEL per place, notes for
 * values left unset, or why it cannot.
 */
export const placesOf = (
  n: RedNode,
  entity: string,
  state: string,
  note: Note,
  legacy: (put: Put) => string | undefined,
): Places | { reason: string } => {
  const out: Places = { properties: {} };
  const put: Put = (name, cel) => {
    if (name === 'payload') out.payload = cel;
    else if (name === 'topic') out.topic = cel;
    else if (propertyNameProblem(name) === undefined) out.properties[name] = cel;
    else return `It puts the state at msg.${name}, which is not a message property Fieldgraph keeps.`;
    return undefined;
  };
  if (!Array.isArray(n.outputProperties)) {
    const problem = legacy(put);
    return problem ? { reason: problem } : out;
  }
  for (const p of n.outputProperties as Record<string, unknown>[]) {
    const name = text(p.property);
    const kind = text(p.valueType);
    const cel = kind === 'entityState' ? state : kind === 'triggerId' ? celString(entity) : undefined;
    if ((text(p.propertyType) || 'msg') !== 'msg')
      return { reason: `It stores ${kind || 'a value'} in ${text(p.propertyType)} context (${name}).` };
    if (cel === undefined) {
      if (name === 'payload')
        return { reason: `It sends ${kind || 'a value'} as the payload, not the state.` };
      note('unsupported', `msg.${name} (${kind || 'a value'}) is not set.`);
      continue;
    }
    const problem = put(name, cel);
    if (problem) return { reason: problem };
  }
  return out;
};

/** A Transform's config setting the places. */
export const transformOf = (places: Places): Record<string, unknown> => ({
  ...(places.payload !== undefined ? { payload: places.payload } : {}),
  ...(places.topic !== undefined ? { topic: places.topic } : {}),
  ...(Object.keys(places.properties).length ? { properties: places.properties } : {}),
});

/** The state text of an entity as CEL over its role's last value, and the role, or why not. */
export const lastStateOf = (
  entity: string,
): { cel: string; role: RoleNeed; domain: Domain } | { reason: string } => {
  const mapped = roleOf(entity);
  if ('reason' in mapped) return mapped;
  const { role, domain } = mapped;
  if (!domain.state)
    return { reason: `A ${role.capability} role has no state Home Assistant reports as text.` };
  return { cel: `(${domain.state.text(`roles.${role.id}.${domain.state.property}`)})`, role, domain };
};
