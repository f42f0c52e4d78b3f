/**
 * The small template and path language of device-model bindings: `{variable}` placeholders for
 * a device's instance variables, `{{value}}` for the mapped value, dotted paths into JSON, and
 * MQTT topic-filter matching. Platform-free and without eval.
 */

/** Instance variables of one device: topic, prefix, host, id, channel… */
export type Variables = Readonly<Record<string, string | number>>;

/** Thrown by the template functions when a placeholder has no value; carries the variable's name. */
export class MissingVariableError extends Error {
  override readonly name = 'MissingVariableError';
  constructor(readonly variable: string) {
    super(`the variable {${variable}} has no value`);
  }
}

const PLACEHOLDER = /\{\{value\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ONLY_VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The names of the `{variable}` placeholders in a string, in order of appearance. */
export const placeholdersIn = (text: string): string[] =>
  [...text.matchAll(PLACEHOLDER)].flatMap((m) => (m[1] ? [m[1]] : []));

/** Every `{variable}` name used anywhere inside a JSON template. */
export const placeholdersInJson = (template: unknown): string[] => {
  if (typeof template === 'string') return placeholdersIn(template);
  if (Array.isArray(template)) return template.flatMap(placeholdersInJson);
  if (template && typeof template === 'object') {
    return Object.entries(template).flatMap(([k, v]) => [...placeholdersIn(k), ...placeholdersInJson(v)]);
  }
  return [];
};

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Fills `{variable}` and `{{value}}` in a string. `encode` escapes each substituted piece (for
 * URLs); missing variables throw MissingVariableError.
 */
export const fillText = (
  template: string,
  vars: Variables,
  value?: unknown,
  encode: (s: string) => string = (s) => s,
): string =>
  template.replace(PLACEHOLDER, (whole, name: string | undefined) => {
    if (!name) return encode(text(value));
    if (!Object.hasOwn(vars, name)) throw new MissingVariableError(name);
    return encode(String(vars[name]));
  });

/**
 * Fills a JSON template. A string that is exactly `{{value}}` or `{variable}` becomes the typed
 * value (so `"on": "{{value}}"` sends `true`, not `"true"`); other strings are interpolated.
 */
export const fillJson = (template: unknown, vars: Variables, value?: unknown): unknown => {
  if (typeof template === 'string') {
    if (template === '{{value}}') return value;
    const only = ONLY_VARIABLE.exec(template);
    if (only) {
      const name = only[1]!;
      if (!Object.hasOwn(vars, name)) throw new MissingVariableError(name);
      return vars[name];
    }
    return fillText(template, vars, value);
  }
  if (Array.isArray(template)) return template.map((t) => fillJson(t, vars, value));
  if (template && typeof template === 'object') {
    return Object.fromEntries(
      Object.entries(template).map(([k, v]) => [fillText(k, vars, value), fillJson(v, vars, value)]),
    );
  }
  return template;
};

/** Result of reading a dotted path: whether it exists, and the value found. */
export type PathRead = { found: true; value: unknown } | { found: false };

/**
 * Reads a dotted path (`params.switch:0.output`, `events.0.event`) from a JSON value. The empty
 * path is the value itself. Keys may contain any character but the dot.
 */
export const readPath = (root: unknown, path: string): PathRead => {
  if (path === '') return { found: true, value: root };
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(key) && Number(key) < cur.length) cur = cur[Number(key)];
    else if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else return { found: false };
  }
  return { found: true, value: cur };
};

/**
 * Turns a Home Assistant `value_template` of the common form `{{ value_json.a.b }}` or
 * `{{ value_json['a'].b }}` into a dotted path (`a.b`); `{{ value }}` gives the empty path;
 * anything else (filters, arithmetic) gives undefined, because we do not evaluate Jinja.
 */
export const valuePathFromHaTemplate = (template: string): string | undefined => {
  const m =
    /^\{\{\s*(value_json((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*(?:'[^']*'|"[^"]*"|\d+)\s*\])*)|value)\s*\}\}$/.exec(
      template.trim(),
    );
  if (!m) return undefined;
  if (m[1] === 'value') return '';
  const parts = [
    ...(m[2] ?? '').matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]/g),
  ].map((p) => p[1] ?? p[2] ?? p[3] ?? p[4]!);
  return parts.some((p) => p.includes('.')) ? undefined : parts.join('.');
};
