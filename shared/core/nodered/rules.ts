/**
 * Node-RED switch rules and change rules as CEL. Each conversion returns CEL text or the
 * reason it cannot be converted, so the import report can say exactly what was left out.
 */
import { jsonataCondition } from './jsonata-uses';
import { celString, msgGuard, msgPath, typedValue, wholeProperty, type CelOrReason } from './values';

/** One rule of a Node-RED switch node. */
export interface SwitchRule {
  readonly t: string;
  readonly v?: unknown;
  readonly vt?: string;
  readonly v2?: unknown;
  readonly v2t?: string;
  readonly case?: boolean;
}

const comparison: Record<string, string> = { eq: '==', neq: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * A switch rule over `subject` (a CEL path) as a CEL condition; `else` is handled by the caller.
 * On a message property the message may lack (`msg.command`), the rule first tests that it is
 * there, and holds for a missing one exactly where Node-RED's test of undefined holds.
 */
export const switchRuleCel = (
  rule: SwitchRule,
  subject: string,
  flowVars: ReadonlySet<string> = new Set(),
  subjectGuard?: string,
): CelOrReason => {
  // A JSONata rule tests its own expression of the message, whatever the subject holds.
  if (rule.t === 'jsonata_exp') return ruleCel(rule, subject, flowVars);
  // `subjectGuard`: the test that a subject computed by JSONata has a value (jsonataSubject).
  const guard = subjectGuard ?? msgGuard(subject);
  if (guard && rule.t === 'istype' && rule.v === 'undefined')
    return subjectGuard || wholeProperty(subject)
      ? { cel: `!${guard}` }
      : { reason: 'the “is of type undefined” rule' };
  const result = ruleCel(rule, subject, flowVars);
  if (!guard || !('cel' in result)) return result;
  return holdsForUndefined(rule)
    ? { cel: `!${guard} || (${result.cel})` }
    : { cel: `${guard} && (${result.cel})` };
};

// Node-RED's tests of undefined: `!=` and "is null" hold; "contains" and "matches" test the
// text "undefined" (`a + ""`); every other test fails.
const holdsForUndefined = (rule: SwitchRule): boolean => {
  if (rule.t === 'neq' || rule.t === 'null') return true;
  if ((rule.t !== 'cont' && rule.t !== 'regex') || (rule.vt ?? 'str') !== 'str') return false;
  const v = String(rule.v ?? '');
  if (rule.t === 'cont') return 'undefined'.includes(v);
  try {
    return new RegExp(v, rule.case ? 'i' : '').test('undefined');
  } catch {
    return false;
  }
};

const ruleCel = (
  rule: SwitchRule,
  subject: string,
  flowVars: ReadonlySet<string> = new Set(),
): CelOrReason => {
  const op = comparison[rule.t];
  if (op) {
    const value = typedValue(rule.v, rule.vt, flowVars);
    return 'cel' in value ? { cel: `${subject} ${op} ${value.cel}` } : value;
  }
  switch (rule.t) {
    case 'btwn': {
      const low = typedValue(rule.v, rule.vt, flowVars);
      const high = typedValue(rule.v2, rule.v2t, flowVars);
      if (!('cel' in low)) return low;
      if (!('cel' in high)) return high;
      return { cel: `${subject} >= ${low.cel} && ${subject} <= ${high.cel}` };
    }
    case 'cont': {
      const value = typedValue(rule.v, rule.vt, flowVars);
      return 'cel' in value ? { cel: `${subject}.contains(${value.cel})` } : value;
    }
    case 'regex':
      return { cel: `${subject}.matches(${celString((rule.case ? '(?i)' : '') + String(rule.v ?? ''))})` };
    case 'true':
      return { cel: `${subject} == true` };
    case 'false':
      return { cel: `${subject} == false` };
    case 'null':
      return { cel: `${subject} == null` };
    case 'nnull':
      return { cel: `${subject} != null` };
    case 'empty':
      return { cel: `size(${subject}) == 0` };
    case 'nempty':
      return { cel: `size(${subject}) > 0` };
    case 'jsonata_exp':
      // Node-RED's rule holds where the expression gives the boolean true.
      return jsonataCondition(String(rule.v ?? ''), flowVars);
    case 'istype':
      return istype(String(rule.v ?? ''), subject);
    default:
      return { reason: `the “${rule.t}” rule` };
  }
};

const istype = (type: string, subject: string): CelOrReason => {
  const cel: Record<string, string> = {
    string: 'string',
    number: 'double',
    boolean: 'bool',
    array: 'list',
    object: 'map',
    null: 'null_type',
  };
  const t = cel[type];
  return t ? { cel: `type(${subject}) == ${t}` } : { reason: `the “is of type ${type}” rule` };
};

/** One rule of a Node-RED change node. */
export interface ChangeRule {
  readonly t: string;
  readonly p?: string;
  readonly pt?: string;
  readonly to?: unknown;
  readonly tot?: string;
}

/** What a change node's rules make of a Fieldgraph transform: a new payload, fields, topic and message properties. */
export interface TransformConfig {
  payload?: string;
  set?: Record<string, string>;
  topic?: string;
  properties?: Record<string, string>;
  remove?: string[];
}

/**
 * Folds change rules into one transform config. The caller starts a new transform before a rule
 * that reads the message (see change in convert.ts), since a Transform computes every value from
 * the message as it came in. A rule whose effect a transform cannot have (a JSONata or context
 * value, search-and-replace, a field deeper than the top level, setting context) is `blocking`:
 * the node stays a placeholder. A rule a transform leaves out on purpose (deleting the topic) is
 * `skipped`, with its reason.
 */
export const changeRulesToTransform = (
  rules: readonly ChangeRule[],
  flowVars: ReadonlySet<string> = new Set(),
): { config: TransformConfig; skipped: string[]; blocking: string[] } => {
  const config: TransformConfig = {};
  const skipped: string[] = [];
  const blocking: string[] = [];
  const setProperty = (name: string, cel: string) => {
    config.properties = { ...config.properties, [name]: cel };
    if (config.remove) config.remove = config.remove.filter((r) => r !== name);
  };
  const removeProperty = (name: string) => {
    if (config.properties) delete config.properties[name];
    config.remove = [...new Set([...(config.remove ?? []), name])];
  };
  for (const rule of rules) {
    const scope = rule.pt ?? 'msg';
    const target = `${scope}.${rule.p ?? ''}`;
    if (scope !== 'msg') {
      blocking.push(`${target} (${scope} context; a Set variable node keeps a flow variable)`);
      continue;
    }
    const path = msgPath(rule.p ?? '');
    if (path === null) {
      blocking.push(`${target} (not a property name a Fieldgraph message carries)`);
      continue;
    }
    const property = wholeProperty(path);
    if (rule.t === 'delete') {
      if (path === 'payload') {
        config.payload = 'null';
        delete config.set;
      } else if (path === 'topic')
        skipped.push(`the “delete” rule on ${target} (a Transform does not remove the topic)`);
      else if (property) removeProperty(property);
      else blocking.push(`the “delete” rule on ${target} (a Transform removes a whole property)`);
      continue;
    }
    if (rule.t === 'move') {
      const to = (rule.tot ?? 'msg') === 'msg' ? msgPath(String(rule.to ?? '')) : null;
      const toProperty = to && wholeProperty(to);
      if (!property || !(toProperty || to === 'payload')) {
        blocking.push(`the “move” rule on ${target} (a Transform moves one whole property to another)`);
        continue;
      }
      if (toProperty) setProperty(toProperty, path);
      else {
        config.payload = path;
        delete config.set;
      }
      if (toProperty !== property) removeProperty(property);
      continue;
    }
    if (rule.t !== 'set') {
      blocking.push(`the “${rule.t}” rule on ${target}`);
      continue;
    }
    const value = typedValue(rule.to, rule.tot, flowVars);
    if (!('cel' in value)) {
      blocking.push(`${target} to ${value.reason}`);
      continue;
    }
    if (path === 'payload') {
      config.payload = value.cel;
      delete config.set;
    } else if (/^payload\.[A-Za-z0-9_-]+$/.test(path)) {
      config.set = { ...config.set, [path.slice('payload.'.length)]: value.cel };
    } else if (path === 'topic') {
      // A topic is text; Node-RED would keep a number as a number, which a later MQTT node writes as text.
      config.topic = (rule.tot ?? 'str') === 'str' ? value.cel : `string(${value.cel})`;
    } else if (property) setProperty(property, value.cel);
    else
      blocking.push(
        `${target} (a Transform sets the payload, one of its top-level fields, or a whole property)`,
      );
  }
  return { config, skipped, blocking };
};
