/**
 * Named message properties beyond payload and topic (`msg.command`, `msg.url`), as Node-RED
 * users expect them. A message carries them unchanged through every node that passes it on;
 * a Transform sets or removes them; expressions read them as `msg.<name>`. What a node puts
 * there is bounded here, so a property computed from network input cannot grow without limit.
 */
import type { Message } from './types';

/** Bounds on a message's named properties: how many, how deep and how large each value is. */
export const MESSAGE_PROPERTY_LIMITS = {
  /** Properties one message may carry. */
  count: 32,
  /** Nesting depth of one value (an object in an object… counts one per level). */
  depth: 16,
  /** Size of one value in characters of its JSON text. */
  chars: 16_384,
} as const;

/** What a property name looks like: a word that JavaScript and CEL both read as `msg.name`. */
export const MESSAGE_PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Names a message has already (payload, topic) or CEL reserves, so they cannot be property names. */
const RESERVED = new Set([
  'payload',
  'topic',
  ...['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import', 'in'],
  ...['let', 'loop', 'namespace', 'null', 'package', 'return', 'true', 'var', 'void', 'while'],
]);

/** Why `name` cannot be a message property, or undefined when it can. */
export const propertyNameProblem = (name: string): string | undefined => {
  if (!MESSAGE_PROPERTY_NAME.test(name))
    return `"${name}" is not a property name (a letter or _ then letters, digits or _, at most 64)`;
  if (RESERVED.has(name)) return `"${name}" cannot be a property name (it is a reserved word)`;
  return undefined;
};

// Walks a value once, stopping as soon as it is too deep or too large, so a huge value costs
// no more than the limit to reject.
const sizeOf = (value: unknown, depth: number, budget: number): number => {
  if (depth > MESSAGE_PROPERTY_LIMITS.depth) return Infinity;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 24;
    case 'boolean':
      return 5;
    case 'undefined':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (value instanceof Uint8Array) return value.length * 2;
      let used = 2;
      const entries = Array.isArray(value) ? value.map((v) => ['', v] as const) : Object.entries(value);
      for (const [key, inner] of entries) {
        used += key.length + 4 + sizeOf(inner, depth + 1, budget - used);
        if (used > budget) return Infinity;
      }
      return used;
    }
    default:
      return Infinity;
  }
};

/**
 * True when `value` is within a message property's bounds (characters as JSON and depth); the
 * same bounds hold for gateway-wide variables.
 */
export const fitsPropertyBounds = (value: unknown): boolean =>
  sizeOf(value, 1, MESSAGE_PROPERTY_LIMITS.chars) <= MESSAGE_PROPERTY_LIMITS.chars;

/** Throws an Error naming the property and the bound when `value` may not be a message property. */
export const checkPropertyValue = (name: string, value: unknown): void => {
  if (!fitsPropertyBounds(value))
    throw new Error(
      `msg.${name} would be too large or too deeply nested (at most ${MESSAGE_PROPERTY_LIMITS.chars} characters as JSON and ${MESSAGE_PROPERTY_LIMITS.depth} levels); keep large data in the payload.`,
    );
};

/**
 * A copy of `message` with properties set (each value checked against the limits) and others
 * removed; the input is never changed. Throws an Error naming the problem for a bad name, a
 * value past the bounds, or more than `MESSAGE_PROPERTY_LIMITS.count` properties.
 */
export const withProperties = (
  message: Message,
  set: Readonly<Record<string, unknown>>,
  remove: readonly string[] = [],
): Message => {
  const next: Record<string, unknown> = { ...message.properties };
  for (const name of remove) delete next[name];
  for (const name of Object.keys(set)) {
    const problem = propertyNameProblem(name);
    if (problem) throw new Error(problem);
    const value = set[name];
    checkPropertyValue(name, value);
    next[name] = value;
  }
  const count = Object.keys(next).length;
  if (count > MESSAGE_PROPERTY_LIMITS.count)
    throw new Error(
      `A message may carry at most ${MESSAGE_PROPERTY_LIMITS.count} named properties; this one would have ${count}.`,
    );
  const base: Message =
    message.topic === undefined
      ? { payload: message.payload }
      : { payload: message.payload, topic: message.topic };
  return count === 0 ? base : { ...base, properties: next };
};

/**
 * The message as expressions see it under `msg`: its named properties, `payload` and `topic`
 * ("" when it has none), like Node-RED's `msg` object.
 */
export const messageView = (message: Message): Record<string, unknown> => ({
  ...message.properties,
  payload: message.payload,
  topic: message.topic ?? '',
});
