import { describe, expect, it } from 'vitest';
import { checkHaTemplate, plainPathOf, renderHaTemplate } from '../../../../../shared/core/model/ha-template';
import { decodeValue, encodeValue } from '../../../../../shared/core/model/mapping';

const render = (template: string, value: unknown) => {
  const checked = checkHaTemplate(template);
  if (!checked.ok) throw new Error(checked.reason);
  return renderHaTemplate(checked.template, value);
};

describe('Home Assistant template subset', () => {
  it('reads value_json attributes, indexes and the filters of the subset', () => {
    const payload = JSON.stringify({ temperature: 21.456, state: 'ON', list: [3, 4], 'a-b': { c: 'X' } });
    expect(render('{{ value_json.temperature }}', payload)).toBe('21.456');
    expect(render("{{ value_json['temperature'] | float | round(1) }}", payload)).toBe('21.5');
    expect(render('{{ value_json.list[1] | int }}', payload)).toBe('4');
    expect(render("{{ value_json['a-b'].c | lower }}", payload)).toBe('x');
    expect(render('{{ value_json.state | upper }}', payload)).toBe('ON');
    expect(render("{{ value_json.missing | default('none') }}", payload)).toBe('none');
    expect(render('{{ value_json.state is defined }}', payload)).toBe('True');
    expect(render('{{ value_json.missing is not defined }}', payload)).toBe('True');
    expect(render('{{value}}', 'plain')).toBe('plain');
    expect(render('{"state": "{{ value }}"}', 'ON')).toBe('{"state": "ON"}');
    expect(render('{{ value | float(0) }}', 'n/a')).toBe('0');
    expect(render('{{ value_json.t | round(0) }}', '{"t": 2.5}')).toBe('3');
    expect(render('{{ value_json.t | round(0) }}', '{"t": -2.5}')).toBe('-3');
  });

  it('names what it does not read instead of guessing', () => {
    const cases: [string, RegExp][] = [
      ['{{ value_json.t | timestamp_custom("%H") }}', /filter "timestamp_custom"/],
      ['{% if value_json.a %}ON{% endif %}', /statements/],
      ['{{ value_json.a * 10 }}', /"\*/],
      ["{{ 'ON' if value_json.a else 'OFF' }}", /if/],
      ['{{ states("sensor.x") }}', /states/],
      ['{{ value_json.a is number }}', /test other than/],
    ];
    for (const [template, reason] of cases) {
      const checked = checkHaTemplate(template);
      expect(checked.ok, template).toBe(false);
      if (!checked.ok) expect(checked.reason, template).toMatch(reason);
    }
  });

  it('fails a rendering that reads nothing, or JSON from a payload that is not JSON', () => {
    expect(() => render('{{ value_json.x }}', '{"y":1}')).toThrow(/nothing/);
    expect(() => render('{{ value_json.x }}', 'not json')).toThrow(/not JSON/);
    expect(() => render('{{ value | float }}', 'abc')).toThrow(/not a number/);
  });

  it('gives the plain path of a template that only reads one', () => {
    const path = (t: string) => {
      const c = checkHaTemplate(t);
      return c.ok ? plainPathOf(c.template) : 'refused';
    };
    expect(path("{{ value_json['a'].b }}")).toBe('a.b');
    expect(path('{{ value }}')).toBe('');
    expect(path('{{ value_json.a | float }}')).toBeUndefined();
  });

  it('runs as a mapping in both directions', () => {
    const chain = [
      { kind: 'template' as const, direction: 'forward' as const, template: '{{ value_json.state }}' },
      { kind: 'template' as const, direction: 'reverse' as const, template: '{"state":"{{ value }}"}' },
      {
        kind: 'enum' as const,
        pairs: [
          { device: 'ON', value: true },
          { device: 'OFF', value: false },
        ],
      },
    ];
    expect(decodeValue(chain, '{"state":"ON"}')).toEqual({ ok: true, value: true });
    expect(encodeValue(chain, false)).toEqual({ ok: true, value: '{"state":"OFF"}' });
    const bad = decodeValue([{ kind: 'template', direction: 'forward', template: '{{ x }}' }], '1');
    expect(bad.ok).toBe(false);
  });
});
