/**
 * Located problems: what every validator returns. A problem names the file, the JSON path
 * inside it, what is wrong and how to fix it, so the CLI, the UI and CI can all show it.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

/** How bad a problem is: errors stop a save/deploy, warnings are shown and allowed. */
export type Severity = 'error' | 'warning';

/** One located problem; `path` is dotted (`implements.switch.properties.on.write.topic`), empty for the whole file. */
export interface Problem {
  readonly code: string;
  readonly severity: Severity;
  /** The file the problem is in, relative to the project or library root, when known. */
  readonly file?: string;
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** Codes of model problems, stable for tools; the message carries the specifics. */
export const problemCodes = {
  'schema.invalid': 'The value does not match the file format.',
  'json.malformed': 'The file is not valid JSON.',
  'capability.unknown': 'A capability id is not in the library or the project.',
  'capability.cycle': 'Capabilities extend each other in a circle.',
  'capability.duplicate': 'Two capabilities share an id.',
  'model.unknown_affordance': 'A binding names a property, action or event the capability does not have.',
  'model.not_writable': 'A write binding is given for a property the capability does not allow writing.',
  'model.missing_binding': 'The model does not bind an affordance of a capability it implements.',
  'model.unknown_variable': 'A template uses a {variable} the model does not define.',
  'model.unknown_mapping': 'A binding names a mapping the model does not define.',
  'model.bad_pattern': 'A regular expression does not compile.',
  'model.duplicate': 'Two device models share an id.',
  'mapping.gap': 'A mapping leaves values without a counterpart.',
  'mapping.overlap': 'A mapping gives one input two outputs.',
  'mapping.invalid': 'A mapping cannot convert as declared.',
  'site.unknown_model': 'A device names a model that is not in the library or the project.',
  'site.unknown_device': 'A role binding names a device the site does not have.',
  'site.unknown_role': 'A role binding names a role the project does not define.',
  'site.unknown_room': 'A device names a room the site does not have.',
  'site.duplicate_id': 'Two entries share an id.',
  'site.role_mismatch': 'The bound device cannot fill the role.',
  'site.missing_variable': 'A device lacks a value its model needs.',
  'project.unknown_capability': 'A role names a capability that is not in the library or the project.',
  'project.duplicate_role': 'Two roles share an id.',
} as const;

/** A code from problemCodes. */
export type ProblemCode = keyof typeof problemCodes;

/** Builds a problem. */
export const problem = (
  code: ProblemCode,
  severity: Severity,
  path: string,
  message: string,
  hint: string,
  file?: string,
): Problem => ({ code, severity, path, message, hint, ...(file === undefined ? {} : { file }) });

/** Joins path segments with dots, skipping empty ones. */
export const joinPath = (...parts: readonly (string | number | undefined)[]): string =>
  parts.filter((p) => p !== undefined && p !== '').join('.');

const pointerToPath = (pointer: string): string =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

const literals = (schema: TSchema): unknown[] | undefined => {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf?.every((s) => 'const' in s)) return undefined;
  return anyOf.map((s) => (s as unknown as { const: unknown }).const);
};

const kindOptions = (schema: TSchema): string[] =>
  ((schema as { anyOf?: TSchema[] }).anyOf ?? []).flatMap((s) => {
    const kind = (s as { properties?: Record<string, { const?: unknown }> }).properties?.kind?.const;
    return typeof kind === 'string' ? [kind] : [];
  });

const hintFor = (error: ValueError, key: string): string => {
  const schema = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `Add "${key}".`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `Remove "${key}" or check its spelling.`;
    case ValueErrorType.StringPattern:
      return `Use text matching ${String(schema.pattern)}.`;
    case ValueErrorType.StringMaxLength:
      return `Shorten it to at most ${String(schema.maxLength)} characters.`;
    case ValueErrorType.StringMinLength:
      return `Give at least ${String(schema.minLength)} characters.`;
    case ValueErrorType.Literal:
      return `Use ${show(schema.const)}.`;
    case ValueErrorType.Union: {
      const options = literals(error.schema);
      if (options) return `Use one of ${options.map(show).join(', ')}.`;
      const kinds = kindOptions(error.schema);
      if (kinds.length) return `Give "kind" one of ${kinds.map(show).join(', ')} with that kind's fields.`;
      return 'Check the value against the schema in resources/schemas.';
    }
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
      return 'Use a number.';
    case ValueErrorType.String:
      return 'Use text in double quotes.';
    case ValueErrorType.Boolean:
      return 'Use true or false.';
    case ValueErrorType.Array:
      return 'Use a list: [ … ].';
    case ValueErrorType.Object:
      return 'Use an object: { … }.';
    case ValueErrorType.ArrayMinItems:
      return `Give at least ${String(schema.minItems)} item(s).`;
    default:
      return 'Check the value against the schema in resources/schemas.';
  }
};

const read = (root: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (cur, seg) =>
        cur && typeof cur === 'object'
          ? (cur as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      root,
    );

/**
 * Checks a value against a TypeBox schema and returns located problems. A union of objects
 * told apart by `kind` is checked against the member the value names, so the message points
 * at the wrong field rather than saying "expected union value".
 */
export const schemaProblems = (schema: TSchema, value: unknown, file?: string, base = ''): Problem[] => {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const local = pointerToPath(error.path);
    const path = joinPath(base, local);
    const key = local.split('.').pop() ?? '';
    if (error.type === ValueErrorType.Union) {
      const at = read(value, error.path) as { kind?: unknown } | undefined;
      const members = ((error.schema as { anyOf?: TSchema[] }).anyOf ?? []).filter(
        (s) =>
          (s as { properties?: Record<string, { const?: unknown }> }).properties?.kind?.const === at?.kind,
      );
      if (at && typeof at === 'object' && members.length === 1) {
        out.push(...schemaProblems(members[0]!, at, file, path));
        continue;
      }
    }
    // TypeBox reports a missing property twice (required + its own type); keep the first.
    const id = `${path}|${error.type === ValueErrorType.ObjectRequiredProperty ? 'missing' : error.type}`;
    if (seen.has(path) || seen.has(id)) continue;
    seen.add(path);
    seen.add(id);
    const message =
      error.type === ValueErrorType.ObjectRequiredProperty
        ? `"${key}" is missing`
        : error.type === ValueErrorType.ObjectAdditionalProperties
          ? `"${key}" is not a known field here`
          : `${error.message.replace(/^Expected/, 'expected')}, got ${show(error.value)}`;
    out.push(problem('schema.invalid', 'error', path, message, hintFor(error, key), file));
  }
  return out;
};

/** One line per problem: `file: path: message (hint)`. */
export const formatProblem = (p: Problem): string =>
  `${[p.file, p.path].filter(Boolean).join(': ') || '(root)'}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}. ${p.hint}`;
