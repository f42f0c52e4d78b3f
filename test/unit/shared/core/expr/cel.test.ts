import { describe, expect, it } from 'vitest';
import {
  checkExpression,
  compileExpression,
  ExpressionSyntaxError,
  syntaxErrorOf,
  toPlainValue,
} from '../../../../../shared/core/expr/cel';
import type { RoleInScope } from '../../../../../shared/core/flow/scope';

const context = (payload: unknown) => ({
  payload,
  topic: 't',
  vars: { limit: 25 },
  global: { mode: 'away' },
  roles: { lamp: { on: true } },
  now: 0,
});
const roles: RoleInScope[] = [
  {
    name: 'lamp',
    capability: {
      id: 'switch@1',
      properties: { on: { type: 'boolean', writable: true } },
      actions: {},
      events: {},
    },
  },
  {
    name: 'room-temp',
    capability: {
      id: 'temperature@1',
      properties: { temperature: { type: 'number' } },
      actions: {},
      events: {},
    },
  },
];

describe('CEL expressions', () => {
  it('writes maps, lists and null as JSON text with string(), as a debug sidebar shows them', () => {
    const log = compileExpression('string(payload)');
    expect(log(context({ temp: 21.5, tags: ['a', 1], nested: { on: true } }))).toBe(
      '{"temp":21.5,"tags":["a",1],"nested":{"on":true}}',
    );
    expect(log(context([1, 'x']))).toBe('[1,"x"]');
    expect(log(context(null))).toBe('null');
    // scalars keep CEL's own string()
    expect(log(context('on'))).toBe('on');
    expect(log(context(2.5))).toBe('2.5');
    expect(compileExpression('"vars: " + string(vars)')(context(0))).toBe('vars: {"limit":25}');
    expect(
      checkExpression('string(payload)', {
        payload: { type: 'object' },
        roles: [],
      }),
    ).toMatchObject({
      ok: true,
      type: 'string',
    });
  });

  it('checks string() at design time with the overloads the gateway runs it with', () => {
    const declared = {
      type: 'object' as const,
      properties: {
        temp: { type: 'number' as const },
        battery: { type: 'object' as const, properties: { level: { type: 'number' as const } } },
      },
    };
    const check = (source: string, payload: Parameters<typeof checkExpression>[1]['payload']) =>
      checkExpression(source, { payload, roles });
    // a payload with declared fields, and an object field within it, as JSON text
    expect(check('string(payload)', declared)).toEqual({ ok: true, type: 'string' });
    expect(check('"battery " + string(payload.battery)', declared)).toEqual({ ok: true, type: 'string' });
    expect(check('string(payload.temp)', declared)).toEqual({ ok: true, type: 'string' });
    // the declared fields still bind: a field the shape does not have is refused
    expect(check('string(payload.humidity)', declared)).toMatchObject({ ok: false });
    // a list and a scalar
    expect(check('string(payload)', { type: 'array' })).toEqual({ ok: true, type: 'string' });
    expect(check('string(payload)', { type: 'number' })).toEqual({ ok: true, type: 'string' });
    expect(check('string(payload)', { type: 'boolean' })).toEqual({ ok: true, type: 'string' });
    // a role's declared properties, a role whose name is not an identifier included
    expect(check('string(roles.lamp) + string(roles["room-temp"])', { type: 'number' })).toEqual({
      ok: true,
      type: 'string',
    });
    // and the gateway writes them as it was checked
    const log = compileExpression('string(payload)');
    expect(log(context({ temp: 21.5, battery: { level: 80 } }))).toBe('{"temp":21.5,"battery":{"level":80}}');
    expect(log(context([1, 2]))).toBe('[1,2]');
    expect(log(context(21.5))).toBe('21.5');
  });

  it('evaluates against payload, topic, vars and roles, mixing ints and doubles', () => {
    expect(compileExpression('payload.temp > 25')(context({ temp: 30 }))).toBe(true);
    expect(compileExpression('payload.temp + 1')(context({ temp: 30 }))).toBe(31);
    expect(compileExpression('payload.temp > vars.limit && roles.lamp.on')(context({ temp: 30 }))).toBe(true);
    expect(compileExpression('topic + "/x"')(context(null))).toBe('t/x');
    // global holds the gateway-wide variables; a name never set is missing, has() tells.
    expect(compileExpression('global.mode == "away" && !has(global.other)')(context(null))).toBe(true);
    expect(checkExpression('global.mode', { payload: {}, roles: [] })).toEqual({ ok: true, type: 'dyn' });
  });

  it('returns plain JSON data: ints become numbers, maps become objects', () => {
    expect(compileExpression('{"n": 1, "list": [1, 2]}')(context(null))).toEqual({ n: 1, list: [1, 2] });
    expect(toPlainValue({ a: 1n, b: [2n], c: 'x' })).toEqual({ a: 1, b: [2], c: 'x' });
    const untouched = { a: 1 };
    expect(toPlainValue(untouched)).toBe(untouched);
  });

  it('rejects what does not parse, without evaluating anything', () => {
    expect(() => compileExpression('payload >')).toThrow(ExpressionSyntaxError);
    expect(syntaxErrorOf('1 +')).toMatch(/Unexpected/);
    expect(syntaxErrorOf('1 + 1')).toBeUndefined();
    expect(() => compileExpression('process.exit(1)')(context(null))).toThrow();
  });

  it('type-checks against the payload shape and the roles in scope', () => {
    const scope = { payload: { type: 'object', properties: { temp: { type: 'number' } } } as const, roles };
    expect(checkExpression('payload.temp > 25', scope, 'bool')).toEqual({ ok: true, type: 'bool' });
    expect(checkExpression('payload.humidity > 25', scope, 'bool')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/humidity/),
    });
    expect(checkExpression('roles["room-temp"].temperature > 20', scope, 'bool').ok).toBe(true);
    expect(checkExpression('roles.lamp.brightness', scope).ok).toBe(false);
    expect(checkExpression('"a"', scope, 'bool')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/bool/),
    });
    expect(checkExpression('payload.temp', { payload: {}, roles }, 'bool').ok).toBe(true);
  });
});
