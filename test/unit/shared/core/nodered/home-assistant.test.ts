/**
 * Home Assistant service calls with data, on one or several entities, imported and run on the
 * engine bench: the writes reaching the roles are what Home Assistant did with the service data;
 * the imported flows validate against the library's capabilities with the roles the import asks
 * for; anything a role cannot do stays a placeholder naming the key or entity it did not take.
 * Current state puts the role’s last state where the node says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../../../../../shared/core/model/catalog';
import type { Capability } from '../../../../../shared/core/model/schemas';
import { rolesInScope } from '../../../../../shared/core/flow/roles';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench } from '../engine/harness';

const root = join(import.meta.dirname, '../../../../..');
const capabilities = readdirSync(join(root, 'resources/library/capabilities')).map(
  (f) => JSON.parse(readFileSync(join(root, 'resources/library/capabilities', f), 'utf8')) as Capability,
);
const catalog = createCatalog(capabilities, []);

/** inject → the service call nodes in a row → debug; imported, validated and run once. */
const call = (...services: Record<string, unknown>[]) => {
  const ids = services.map((_, i) => `s${i}`);
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [[ids[0]]] },
    ...services.map((s, i) => ({
      id: ids[i],
      type: 'api-call-service',
      z: 'tab',
      version: 5,
      dataType: 'json',
      wires: [[ids[i + 1] ?? 'out']],
      ...s,
    })),
    { id: 'out', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
  ]);
  return result;
};

const run = (
  result: ReturnType<typeof call>,
  states: [string, string, unknown][] = [],
  payloads: unknown[] = [1],
) => {
  expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
  const flow = result.flows[0]!.flow;
  const problems = validateFlow(flow, rolesInScope(result.roles, catalog)).filter(
    (p) => p.severity === 'error',
  );
  expect(problems).toEqual([]);
  const written: unknown[] = [];
  const acted: unknown[] = [];
  const b = bench([flow], {
    writeProperty: (role, property, value) => void written.push([role, property, value]),
    invokeAction: (role, action) => void acted.push([role, action]),
  });
  for (const [role, property, value] of states) b.engine.deliverPropertyChange(role, property, value);
  b.engine.start();
  for (const payload of payloads) b.engine.runManual(flow.id, payload);
  return { written, acted, logs: b.logs.map((l) => l.text) };
};

const placeholder = (result: ReturnType<typeof call>) => {
  expect(result.placeholders).toBe(1);
  return result.notes.find((n) => n.severity === 'placeholder')!.message;
};

describe('Home Assistant service calls with data', () => {
  it('light.turn_on with brightness, colour and colour temperature sets them, then turns the light on', () => {
    const result = call(
      { action: 'light.turn_on', entityId: ['light.desk'], data: '{"brightness": 128, "transition": 2}' },
      { domain: 'light', service: 'turn_on', entityId: 'light.hall', data: '{"brightness_pct": 40}' },
      { domain: 'light', service: 'turn_on', entityId: 'light.tv', data: { rgb_color: [255, 0, 10] } },
      { domain: 'light', service: 'turn_on', entityId: 'light.bed', data: '{"color_temp_kelvin": 2700}' },
      {
        domain: 'light',
        service: 'turn_on',
        entityId: 'light.bed',
        data: '{"color_temp": 400}',
        dataType: 'jsonata',
      },
    );
    expect(result.roles).toEqual([
      { id: 'light_desk', title: 'light.desk', capability: 'dimmer@1' },
      { id: 'light_hall', title: 'light.hall', capability: 'dimmer@1' },
      { id: 'light_tv', title: 'light.tv', capability: 'color-light@1' },
      { id: 'light_bed', title: 'light.bed', capability: 'color-light@1' },
    ]);
    const { written, logs } = run(result);
    expect(written).toEqual([
      ['light_desk', 'brightness', 50],
      ['light_desk', 'on', true],
      ['light_hall', 'brightness', 40],
      ['light_hall', 'on', true],
      ['light_tv', 'color', { r: 255, g: 0, b: 10 }],
      ['light_tv', 'on', true],
      ['light_bed', 'colorTemperature', 2700],
      ['light_bed', 'on', true],
      ['light_bed', 'colorTemperature', 2500],
      ['light_bed', 'on', true],
    ]);
    // The message goes on as it came, as after Home Assistant's node.
    expect(logs).toHaveLength(1);
    const said = result.notes.map((n) => n.message).join('\n');
    expect(said).toMatch(/brightness of 128 \(of 255\) is written as 50 %/);
    expect(said).toMatch(/transition \(2 s\) is left out/);
    expect(said).toMatch(/400 mireds is written as 2500 K/);
  });

  it('a role used as a switch by one node and a dimmer by another is a dimmer', () => {
    const result = call(
      { domain: 'light', service: 'turn_off', entityId: 'light.desk' },
      { domain: 'light', service: 'turn_on', entityId: 'light.desk', data: '{"brightness_pct": 10}' },
      { domain: 'homeassistant', service: 'toggle', entityId: 'light.desk' },
    );
    expect(result.roles).toEqual([{ id: 'light_desk', title: 'light.desk', capability: 'dimmer@1' }]);
    // Toggle reads the last state the gateway saw (on, as reported before the run).
    expect(run(result, [['light_desk', 'on', true]]).written).toEqual([
      ['light_desk', 'on', false],
      ['light_desk', 'brightness', 10],
      ['light_desk', 'on', true],
      ['light_desk', 'on', false],
    ]);
  });

  it('brightness 0 turns a light off, percentage 0 a fan', () => {
    const result = call(
      { domain: 'light', service: 'turn_on', entityId: 'light.a', data: '{"brightness": 0}' },
      { domain: 'fan', service: 'set_percentage', entityId: 'fan.b', data: '{"percentage": 0}' },
      { domain: 'fan', service: 'turn_on', entityId: 'fan.c', data: '{"percentage": 33}' },
    );
    expect(run(result).written).toEqual([
      ['light_a', 'on', false],
      ['fan_b', 'on', false],
      ['fan_c', 'speed', 33],
      ['fan_c', 'on', true],
    ]);
    expect(result.roles.find((r) => r.id === 'fan_c')?.capability).toBe('fan@1');
  });

  it('a service on several entities writes each role in turn, entities in the data included', () => {
    const result = call(
      { domain: 'switch', service: 'turn_on', entityId: ['switch.a', 'switch.b'] },
      { domain: 'light', service: 'turn_off', data: '{"entity_id": ["light.c", "light.d"]}' },
      { domain: 'homeassistant', service: 'turn_on', entityId: 'switch.a', data: '{"entity_id": "fan.e"}' },
      { domain: 'siren', service: 'turn_off', entityId: ['siren.yard'] },
      { domain: 'input_boolean', service: 'turn_on', entityId: 'input_boolean.away' },
    );
    expect(run(result).written).toEqual([
      ['switch_a', 'on', true],
      ['switch_b', 'on', true],
      ['light_c', 'on', false],
      ['light_d', 'on', false],
      ['switch_a', 'on', true],
      ['fan_e', 'on', true],
      ['siren_yard', 'on', false],
      ['input_boolean_away', 'on', true],
    ]);
    expect(result.notes.map((n) => n.message)).toContain(
      'input_boolean.away is a flag Home Assistant keeps, not a device: its role needs a device that holds it.',
    );
    expect(result.roles.find((r) => r.id === 'siren_yard')?.capability).toBe('siren@1');
  });

  it('covers go to a position, thermostats to a temperature and mode', () => {
    const result = call(
      { domain: 'cover', service: 'set_cover_position', entityId: 'cover.blind', data: '{"position": 30}' },
      {
        domain: 'climate',
        service: 'set_temperature',
        entityId: 'climate.hall',
        data: '{"temperature": 20.5, "hvac_mode": "heat"}',
      },
      { domain: 'climate', service: 'set_hvac_mode', entityId: 'climate.hall', data: '{"hvac_mode": "off"}' },
      // Last and not wired on: a Device action's result would replace the message.
      { domain: 'cover', service: 'open_cover', entityId: 'cover.garage', wires: [[]] },
    );
    const { written, acted } = run(result);
    expect(written).toEqual([
      ['cover_blind', 'position', 30],
      ['climate_hall', 'mode', 'heat'],
      ['climate_hall', 'targetTemperature', 20.5],
      ['climate_hall', 'mode', 'off'],
    ]);
    expect(acted).toEqual([['cover_garage', 'open']]);
    expect(result.notes.map((n) => n.message).join('\n')).toMatch(/20.5 is taken as °C/);
  });

  it('a service filled in from the payload is a Switch over every service it can name', () => {
    const result = call({
      action: 'homeassistant.turn_{{payload}}',
      entityId: ['light.a', 'switch.b'],
      dataType: 'jsonata',
      data: '',
    });
    const first = run(result, [], ['on', 'off', 'toggle', true]);
    expect(first.written).toEqual([
      ['light_a', 'on', true],
      ['switch_b', 'on', true],
      ['light_a', 'on', false],
      ['switch_b', 'on', false],
    ]);
    // A payload naming no service stops, where Home Assistant reported an unknown service.
    expect(first.logs).toEqual(['on', 'off']);
    expect(result.notes.map((n) => n.message).join('\n')).toMatch(
      /chosen by the payload \(“on”: homeassistant.turn_on, “off”: homeassistant.turn_off\)/,
    );
    const second = run(
      call({ domain: 'light', service: '{{payload}}', entityId: 'light.c' }),
      [['light_c', 'on', true]],
      ['turn_off', 'toggle', 'on'],
    );
    expect(second.written).toEqual([
      ['light_c', 'on', false],
      // Toggle flips the last state the gateway saw (on, reported before the runs).
      ['light_c', 'on', false],
    ]);
    expect(second.logs).toEqual(['turn_off', 'toggle']);
    expect(
      placeholder(call({ domain: 'homeassistant', service: '{{payload}}', entityId: 'light.a' })),
    ).toMatch(/for “check_config” \(homeassistant.check_config\)/);
  });

  it('keeps a placeholder naming the key, entity or value a role does not take', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { domain: 'light', service: 'turn_on', entityId: 'light.a', data: '{"effect": "rainbow"}' },
        /“effect”/,
      ],
      [
        {
          domain: 'light',
          service: 'turn_on',
          entityId: 'light.a',
          data: '{"brightness_pct": "{{payload}}"}',
        },
        /“brightness_pct” is a template/,
      ],
      [
        {
          domain: 'light',
          service: 'turn_on',
          entityId: 'light.a',
          data: '{"brightness": $min([payload, 255])}',
          dataType: 'jsonata',
        },
        /JSONata expression \(“brightness” computed\)/,
      ],
      [
        { domain: 'light', service: 'turn_on', entityId: 'light.a', data: '{"brightness": 300}' },
        /outside 0–255/,
      ],
      [
        { domain: 'climate', service: 'set_temperature', entityId: 'climate.a', data: '{"temperature": 70}' },
        /°F/,
      ],
      [
        {
          domain: 'climate',
          service: 'set_hvac_mode',
          entityId: 'climate.a',
          data: '{"hvac_mode": "heat_cool"}',
        },
        /"heat_cool" is not one a thermostat role has/,
      ],
      [{ domain: 'switch', service: 'turn_on', entityId: ['switch.a', 'scene.b'] }, /“scene.b” is of a kind/],
      [
        { domain: 'light', service: 'turn_on', entityId: ['light.a', 'light.b'], data: '{"flash": "short"}' },
        /^For light.a: .*“flash”/,
      ],
      [{ domain: 'light', service: 'turn_on', data: '{"entity_id": "all"}' }, /every entity/],
      [{ domain: 'cover', service: 'toggle', entityId: 'cover.a' }, /cover.toggle has no property or action/],
    ];
    for (const [node, reason] of cases) expect(placeholder(call(node))).toMatch(reason);
  });
});

describe('Home Assistant current state', () => {
  it('current state puts the role’s last state where the node says, and tests it', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'in',
        type: 'inject',
        z: 'tab',
        props: [{ p: 'payload' }],
        payloadType: 'date',
        wires: [['cs', 'old']],
      },
      {
        id: 'cs',
        type: 'api-current-state',
        z: 'tab',
        version: 3,
        entity_id: 'cover.garage',
        state_type: 'str',
        halt_if: 'open',
        halt_if_type: 'str',
        halt_if_compare: 'is',
        outputs: 2,
        outputProperties: [
          { property: 'doorState', propertyType: 'msg', value: '', valueType: 'entityState' },
          { property: 'data', propertyType: 'msg', value: '', valueType: 'entity' },
        ],
        wires: [['open'], ['shut']],
      },
      // Version 1: nothing replaced, only the test.
      {
        id: 'old',
        type: 'api-current-state',
        z: 'tab',
        entity_id: 'switch.fan',
        override_payload: 'none',
        override_data: 'none',
        halt_if: 'on',
        wires: [['fan']],
      },
      { id: 'open', type: 'debug', z: 'tab', complete: 'doorState', wires: [] },
      { id: 'shut', type: 'debug', z: 'tab', complete: 'doorState', wires: [] },
      { id: 'fan', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    expect(result.notes.map((n) => n.message)).toContain('msg.data (entity) is not set.');
    const flow = result.flows[0]!.flow;
    const b = bench([flow]);
    b.engine.deliverPropertyChange('cover_garage', 'state', 'open');
    b.engine.deliverPropertyChange('switch_fan', 'on', false);
    b.engine.start();
    b.engine.runManual(flow.id, 5);
    b.engine.deliverPropertyChange('cover_garage', 'state', 'closed');
    b.engine.deliverPropertyChange('switch_fan', 'on', true);
    b.engine.runManual(flow.id, 6);
    expect(b.logs.map((l) => `${l.source?.nodeId?.replace(/.*-/, '')} ${l.text}`)).toEqual([
      'open open',
      'shut closed',
      'fan 6',
    ]);
  });
});
