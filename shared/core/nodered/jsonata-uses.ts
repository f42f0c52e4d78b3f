/**
 * Where a Node-RED node uses a JSONata expression, what its CEL translation (jsonata.ts) becomes:
 * a value (only where it always has one), a switch condition, a debug node's logged text, or a
 * switch node's subject with the test that it has a value.
 */
import { jsonataToCel } from './jsonata';
import type { CelOrReason } from './values';

/**
 * A JSONata expression used as a value (a change rule's `to`, an inject payload) as CEL giving
 * that value, or why not: also when it may have no value (a missing field), since Node-RED then
 * leaves the property unset where a Fieldgraph node always sets it.
 */
export const jsonataValue = (source: string, flowVars: ReadonlySet<string> = new Set()): CelOrReason => {
  const t = jsonataToCel(source, flowVars);
  if ('reason' in t) return t;
  if (t.maybeNone)
    return {
      reason: `a JSONata expression that has no value when a field it reads is missing (Node-RED then leaves the property unset)`,
    };
  return { cel: t.cel };
};

/** A JSONata expression as a condition holding where its value is the boolean true (a switch's JSONata rule). */
export const jsonataCondition = (source: string, flowVars: ReadonlySet<string> = new Set()): CelOrReason => {
  const t = jsonataToCel(source, flowVars);
  if ('reason' in t) return t;
  if (!t.maybeNone && t.kind === 'boolean') return { cel: t.cel };
  return { cel: `jsonataIsTrue(${t.maybeNone ? t.cel : `[${t.cel}]`})` };
};

/**
 * A JSONata expression a debug node logs, as CEL giving the text Node-RED's sidebar shows: text
 * as it is, other values as JSON, and "undefined" where the expression has no value.
 */
export const jsonataLogText = (source: string, flowVars: ReadonlySet<string> = new Set()): CelOrReason => {
  const t = jsonataToCel(source, flowVars);
  if ('reason' in t) return t;
  if (!t.maybeNone) return { cel: t.kind === 'string' ? t.cel : `string(${t.cel})` };
  return { cel: `(size(${t.cel}) > 0 ? string(${t.cel}[0]) : "undefined")` };
};

/**
 * A JSONata expression as a switch node's subject: CEL for its value, and where it may have none
 * the test that it has one (rules then hold for no value as Node-RED's tests of undefined do).
 */
export const jsonataSubject = (
  source: string,
  flowVars: ReadonlySet<string> = new Set(),
): { cel: string; guard?: string } | { reason: string } => {
  const t = jsonataToCel(source, flowVars);
  if ('reason' in t) return t;
  return t.maybeNone ? { cel: `${t.cel}[0]`, guard: `(size(${t.cel}) > 0)` } : { cel: `(${t.cel})` };
};
