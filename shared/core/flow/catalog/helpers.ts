/** Small builders shared by the catalog files. */
import { Type } from '@sinclair/typebox';
import type { DataShape } from '../scope';
import type { Message, PortSpec } from './types';

/** A port with a shape (anything by default). */
export const port = (name: string, label: string, shape: DataShape = {}): PortSpec => ({
  name,
  label,
  shape,
});

/** The usual single input. */
export const inPort = [port('in', 'in')] as const;
/** The usual single output. */
export const outPort = [port('out', 'out')] as const;

/** A required, non-empty text field. */
export const requiredText = (description: string) => Type.String({ minLength: 1, description });
/** A CEL expression field. */
export const expression = (description: string, defaultValue?: string) =>
  Type.String({
    minLength: 1,
    description,
    'x-fieldgraph-widget': 'cel',
    ...(defaultValue ? { default: defaultValue } : {}),
  });
/** A duration in seconds. */
export const seconds = (description: string, defaultValue: number) =>
  Type.Number({ minimum: 0, maximum: 31_536_000, default: defaultValue, description });

/** Standard node sizes, in px, so the canvas never measures a node. */
export const sizes = {
  trigger: { width: 200, height: 56 },
  logic: { width: 168, height: 56 },
  action: { width: 200, height: 56 },
} as const;

/** A copy of `message` with another payload, keeping its topic and properties (messages are never mutated). */
export const withPayload = (message: Message, payload: unknown): Message =>
  message.properties !== undefined
    ? { ...message, payload }
    : message.topic === undefined
      ? { payload }
      : { payload, topic: message.topic };

/** A problem when `timeZone` is set but not an IANA zone this runtime knows. */
export const timeZoneProblems = (timeZone: unknown): { path: string; message: string }[] => {
  if (typeof timeZone !== 'string' || timeZone === '') return [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return [];
  } catch {
    return [{ path: 'timezone', message: `"${timeZone}" is not a known time zone (use e.g. Europe/Berlin)` }];
  }
};
