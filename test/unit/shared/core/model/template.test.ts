import { describe, expect, it } from 'vitest';
import {
  fillJson,
  fillText,
  MissingVariableError,
  placeholdersInJson,
  readPath,
  valuePathFromHaTemplate,
} from '../../../../../shared/core/model/template';

describe('binding templates', () => {
  it('fills variables and the value, keeping types where a string is only a placeholder', () => {
    expect(
      fillJson({ id: '{channel}', on: '{{value}}', name: 'relay {channel}' }, { channel: 0 }, true),
    ).toEqual({
      id: 0,
      on: true,
      name: 'relay 0',
    });
    expect(fillText('cmnd/{topic}/POWER', { topic: 'kitchen' })).toBe('cmnd/kitchen/POWER');
    expect(
      fillText('http://{host}/cm?cmnd=Power%20{{value}}', { host: 'h' }, 'a b&c', encodeURIComponent),
    ).toBe('http://h/cm?cmnd=Power%20a%20b%26c');
    expect(() => fillText('{prefix}/rpc', {})).toThrow(MissingVariableError);
    expect(placeholdersInJson({ a: ['{x}', '{{value}}'], '{y}': 1 })).toEqual(['x', 'y']);
  });

  it('reads dotted paths, including keys with colons and array indices', () => {
    const msg = { params: { 'switch:0': { output: true }, events: [{ event: 'single_push' }] } };
    expect(readPath(msg, 'params.switch:0.output')).toEqual({ found: true, value: true });
    expect(readPath(msg, 'params.events.0.event')).toEqual({ found: true, value: 'single_push' });
    expect(readPath(msg, 'params.events.1.event')).toEqual({ found: false });
    expect(readPath(msg, '')).toEqual({ found: true, value: msg });
    expect(readPath({ a: null }, 'a.b')).toEqual({ found: false });
  });

  it('turns simple Home Assistant value templates into paths and refuses the rest', () => {
    expect(valuePathFromHaTemplate('{{ value_json.DS18B20.Temperature }}')).toBe('DS18B20.Temperature');
    expect(valuePathFromHaTemplate("{{value_json['ENERGY'].Power}}")).toBe('ENERGY.Power');
    expect(valuePathFromHaTemplate('{{ value }}')).toBe('');
    expect(valuePathFromHaTemplate('{{ value_json.t | float * 2 }}')).toBeUndefined();
    expect(valuePathFromHaTemplate("{{ value_json['a.b'] }}")).toBeUndefined();
  });
});
