import { describe, expect, it } from 'vitest';
import {
  describeData,
  describePropertyBinding,
  searchLibrary,
  type LibraryEntry,
} from '../../../../renderer/src/library/search';

const entries: LibraryEntry[] = [
  {
    kind: 'capability',
    item: {
      id: 'switch@1',
      title: 'Switch',
      tags: ['actuator'],
      extends: [],
      implementedBy: ['tasmota-relay'],
      source: 'builtin',
    },
  },
  {
    kind: 'capability',
    item: {
      id: 'temperature@1',
      title: 'Temperature sensor',
      tags: ['sensor'],
      extends: [],
      implementedBy: [],
      source: 'builtin',
    },
  },
  {
    kind: 'deviceModel',
    item: {
      id: 'shelly-plus-1pm',
      title: 'Shelly Plus 1PM',
      manufacturer: 'Shelly',
      protocols: ['rpc-http', 'rpc-mqtt'],
      capabilities: ['switch@1', 'power-meter@1'],
      commissioning: ['shelly-rpc'],
      source: 'builtin',
    },
  },
];
const ids = (list: LibraryEntry[]) => list.map((e) => e.item.id);

describe('library search', () => {
  it('matches every word against id, title, tags, protocols and capabilities', () => {
    expect(ids(searchLibrary(entries, '', 'all'))).toEqual(['switch@1', 'temperature@1', 'shelly-plus-1pm']);
    expect(ids(searchLibrary(entries, 'SHELLY power', 'all'))).toEqual(['shelly-plus-1pm']);
    expect(ids(searchLibrary(entries, 'switch', 'all'))).toEqual(['switch@1', 'shelly-plus-1pm']);
    expect(ids(searchLibrary(entries, 'switch', 'capability'))).toEqual(['switch@1']);
    expect(ids(searchLibrary(entries, 'sensor', 'deviceModel'))).toEqual([]);
  });

  it('describes value types and bindings in one line each', () => {
    expect(describeData({ type: 'number', unit: '°C' })).toBe('number °C');
    expect(describeData({ type: 'integer', minimum: 0, maximum: 100, unit: '%' })).toBe('integer 0–100 %');
    expect(describeData({ type: 'string', enum: ['open', 'closed'] })).toBe('"open" | "closed"');
    expect(describeData({ type: 'object', properties: { r: {}, g: {}, b: {} } })).toBe('object {r, g, b}');
    expect(
      describePropertyBinding({
        write: { kind: 'mqtt', topic: 'cmnd/{topic}/POWER', payload: '{{value}}' },
        observe: [{ kind: 'mqtt', topic: 'stat/{topic}/RESULT', valuePath: 'POWER' }],
      }),
    ).toEqual([
      { label: 'write', text: 'MQTT cmnd/{topic}/POWER ← {{value}}' },
      { label: 'observe', text: 'MQTT stat/{topic}/RESULT → POWER' },
    ]);
  });
});
