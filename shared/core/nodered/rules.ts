/**
 * Node-RED switch rules and change rules as CEL. Each conversion returns CEL text or the
 * reason it cannot be converted, so the import report can say exactly what was left out.
 */
import { celString, msgPath, typedValue, type CelOrReason } from './values';

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

/** A switch rule over `subject` (a CEL path) as a CEL condition; `else` is handled by the caller. */
export const switchRuleCel = (
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
      return { reason: 'a JSONata expression' };
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

/** What a change node's rules make of a Fieldgraph transform: a new payload and/or fields to set. */
export interface TransformConfig {
  payload?: string;
  set?: Record<string, string>;
}

/**
 * Folds change rules into one transform config. A rule whose effect a transform cannot have on
 * the payload (a JSONata or context value, delete, move, search-and-replace, setting context)
 * is `blocking`: the node stays a placeholder. A rule on a message property Fieldgraph
 * messages do not carry (`msg.headers`) is `skipped`: it changes nothing a later node could see.
 */
export const changeRulesToTransform = (
  rules: readonly ChangeRule[],
  flowVars: ReadonlySet<string> = new Set(),
): { config: TransformConfig; skipped: string[]; blocking: string[] } => {
  const config: TransformConfig = {};
  const skipped: string[] = [];
  const blocking: string[] = [];
  for (const rule of rules) {
    const scope = rule.pt ?? 'msg';
    const target = `${scope}.${rule.p ?? ''}`;
    if (scope !== 'msg') {
      blocking.push(`${target} (${scope} context; a Set variable node keeps a flow variable)`);
      continue;
    }
    const path = msgPath(rule.p ?? '');
    const onPayload = path !== null && path !== 'topic';
    if (rule.t === 'delete' && path === 'payload') {
      config.payload = 'null';
      delete config.set;
      continue;
    }
    if (rule.t !== 'set') {
      if (onPayload) blocking.push(`the “${rule.t}” rule on ${target}`);
      else
        skipped.push(
          path === 'topic'
            ? `the “${rule.t}” rule on ${target} (a Transform does not change the topic)`
            : `the “${rule.t}” rule on ${target} (Fieldgraph messages carry only payload and topic)`,
        );
      continue;
    }
    if (!onPayload) {
      skipped.push(
        path === 'topic'
          ? `setting ${target} (a Transform sets the payload, not the topic)`
          : `setting ${target} (Fieldgraph messages carry only payload and topic)`,
      );
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
    } else {
      blocking.push(`${target} (a Transform sets the payload or one of its top-level fields)`);
    }
  }
  return { config, skipped, blocking };
};
