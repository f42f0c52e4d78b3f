/**
 * Home Assistant state nodes and media players imported and run on the engine bench: a state
 * trigger that also sends the state at start, a poll on a timer, lock and media player states,
 * media player services; speech, the sun and tests for an unavailable state stay placeholders
 * saying what was understood.
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

/** One Home Assistant node wired to a debug node (each output to its own), imported and started. */
const start = (node: Record<string, unknown>, outputs = 1, complete = 'payload') => {
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    {
      id: 'ha',
      z: 'tab',
      outputProperties: [{ property: 'payload', propertyType: 'msg', value: '', valueType: 'entityState' }],
      ...node,
      wires: Array.from({ length: outputs }, (_, i) => [`out${i}`]),
    },
    ...Array.from({ length: outputs }, (_, i) => ({
      id: `out${i}`,
      type: 'debug',
      z: 'tab',
      name: `out${i}`,
      complete,
      wires: [],
    })),
  ]);
  expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
  const flow = result.flows[0]!.flow;
  const problems = validateFlow(flow, rolesInScope(result.roles, catalog)).filter(
    (p) => p.severity === 'error',
  );
  expect(problems).toEqual([]);
  const b = bench([flow]);
  b.engine.start();
  return { result, b, logged: () => b.logs.map((l) => l.text) };
};

const reasonOf = (node: Record<string, unknown>) => {
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    { id: 'ha', z: 'tab', wires: [[]], ...node },
  ]);
  expect(result.placeholders).toBe(1);
  return result.notes.find((n) => n.severity === 'placeholder')!.message;
};

describe('Home Assistant states', () => {
  it('a state trigger that also sends the state at start sends the first state the gateway hears', () => {
    const { b, result, logged } = start({
      type: 'server-state-changed',
      version: 6,
      entities: { entity: ['lock.front'], substring: [], regex: [] },
      outputInitially: true,
      stateType: 'str',
      ifState: '',
      for: '0',
    });
    b.engine.deliverPropertyChange('lock_front', 'locked', true);
    b.engine.deliverPropertyChange('lock_front', 'locked', true);
    b.engine.deliverPropertyChange('lock_front', 'locked', false);
    expect(logged()).toEqual(['locked', 'unlocked']);
    const said = result.notes.map((n) => n.message).join('\n');
    expect(said).toMatch(/first hears it after starting/);
    expect(said).toMatch(/locking, unlocking, open and jammed states do not occur/);
  });

  it('a state trigger waiting for the state to hold sends it once it held, restarting on each change', () => {
    const { b, logged } = start({
      type: 'server-state-changed',
      version: 6,
      entities: { entity: ['switch.hall'], substring: [], regex: [] },
      ifState: 'off',
      ifStateType: 'str',
      ifStateOperator: 'is',
      outputs: 2,
      for: '2',
      forType: 'num',
      forUnits: 'minutes',
    });
    b.engine.deliverPropertyChange('switch_hall', 'on', false);
    b.clock.advance(60_000);
    b.engine.deliverPropertyChange('switch_hall', 'on', true);
    b.clock.advance(60_000);
    b.engine.deliverPropertyChange('switch_hall', 'on', false);
    b.clock.advance(119_000);
    expect(logged()).toEqual([]);
    b.clock.advance(1_000);
    expect(logged()).toEqual(['off']);
    // “on” held for minutes goes to the second output, which is not wired.
    b.engine.deliverPropertyChange('switch_hall', 'on', true);
    b.clock.advance(600_000);
    expect(logged()).toEqual(['off']);
  });

  it('a state trigger on several entities follows each, naming it in the topic', () => {
    const { b, result } = start(
      {
        type: 'server-state-changed',
        version: 6,
        entities: { entity: ['switch.a', 'cover.b'], substring: [], regex: [] },
        ifState: 'on, open',
        ifStateType: 'str',
        ifStateOperator: 'includes',
        outputs: 2,
        outputProperties: [
          { property: 'payload', propertyType: 'msg', value: '', valueType: 'entityState' },
          { property: 'topic', propertyType: 'msg', value: '', valueType: 'triggerId' },
          { property: 'data', propertyType: 'msg', value: '', valueType: 'eventData' },
        ],
      },
      2,
      'topic',
    );
    expect(result.roles.map((r) => r.id)).toEqual(['switch_a', 'cover_b']);
    b.engine.deliverPropertyChange('switch_a', 'on', true);
    b.engine.deliverPropertyChange('cover_b', 'state', 'closed');
    b.engine.deliverPropertyChange('cover_b', 'state', 'open');
    // The topic each message carried, and which output it left by.
    expect(b.logs.map((l) => `${l.source?.nodeId?.replace(/.*out/, 'out')} ${l.text}`)).toEqual([
      'out0 switch.a',
      'out1 cover.b',
      'out0 cover.b',
    ]);
    expect(result.notes.map((n) => n.message)).toContain('msg.data (eventData) is not set.');
  });

  it('a state trigger puts the state in the message property its output properties name', () => {
    const { b, result, logged } = start(
      {
        type: 'server-state-changed',
        version: 6,
        entities: { entity: ['switch.a'], substring: [], regex: [] },
        outputProperties: [
          { property: 'lastState', propertyType: 'msg', value: '', valueType: 'entityState' },
        ],
      },
      1,
      'lastState',
    );
    b.engine.deliverPropertyChange('switch_a', 'on', true);
    expect(logged()).toEqual(['on']);
    expect(result.notes.map((n) => n.message)).toContain(
      'msg.payload keeps the role’s value, where Node-RED sent no payload.',
    );
  });

  it('trigger-state tests another entity’s last state', () => {
    const { b, result, logged } = start({
      type: 'trigger-state',
      entityid: 'switch.porch',
      entityidfiltertype: 'exact',
      constraints: [
        {
          targetType: 'entity_id',
          targetValue: 'cover.garage',
          propertyType: 'current_state',
          comparatorType: 'is_not',
          comparatorValueDatatype: 'str',
          comparatorValue: 'closed',
        },
        {
          targetType: 'this_entity',
          propertyType: 'current_state',
          comparatorType: 'is',
          comparatorValueDatatype: 'str',
          comparatorValue: 'on',
        },
      ],
      outputs: 2,
    });
    expect(result.roles.map((r) => r.id)).toEqual(['switch_porch', 'cover_garage']);
    b.engine.deliverPropertyChange('cover_garage', 'state', 'closed');
    b.engine.deliverPropertyChange('switch_porch', 'on', true);
    b.engine.deliverPropertyChange('switch_porch', 'on', false);
    b.engine.deliverPropertyChange('cover_garage', 'state', 'open');
    b.engine.deliverPropertyChange('switch_porch', 'on', true);
    expect(logged()).toEqual(['on']);
  });

  it('poll-state sends the last state every interval and on changes, split on its condition', () => {
    const { b, logged } = start(
      {
        type: 'poll-state',
        version: 3,
        updateInterval: '30',
        updateIntervalType: 'num',
        updateIntervalUnits: 'seconds',
        outputInitially: false,
        outputOnChanged: true,
        entityId: 'cover.garage_door',
        stateType: 'str',
        ifState: 'open',
        ifStateType: 'str',
        ifStateOperator: 'is',
        outputs: 2,
      },
      2,
    );
    b.engine.deliverPropertyChange('cover_garage_door', 'state', 'open');
    b.clock.advance(30_000);
    b.engine.deliverPropertyChange('cover_garage_door', 'state', 'closed');
    b.clock.advance(30_000);
    // Which debug node each reached: output 1 (the condition held) or output 2.
    expect(logged()).toEqual(['open', 'open', 'closed', 'closed']);
    expect(b.logs.map((l) => l.source?.nodeId?.replace(/.*out/, 'out'))).toEqual([
      'out0',
      'out0',
      'out1',
      'out1',
    ]);
  });

  it('a media player follows its state and takes volume, source, power and playback', () => {
    const trigger = start({
      type: 'trigger-state',
      entityid: 'media_player.lounge',
      entityidfiltertype: 'exact',
      constraints: [
        {
          targetType: 'this_entity',
          propertyType: 'current_state',
          comparatorType: 'is',
          comparatorValueDatatype: 'str',
          comparatorValue: 'playing',
        },
      ],
      outputs: 2,
    });
    trigger.b.engine.deliverPropertyChange('media_player_lounge', 'state', 'paused');
    trigger.b.engine.deliverPropertyChange('media_player_lounge', 'state', 'playing');
    expect(trigger.logged()).toEqual(['playing']);
    expect(trigger.result.roles).toEqual([
      { id: 'media_player_lounge', title: 'media_player.lounge', capability: 'media-player@1' },
    ]);
    expect(trigger.result.notes.map((n) => n.message).join('\n')).toMatch(
      /No built-in device model implements/,
    );

    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [['a']] },
      ...[
        ['a', 'turn_on', '', 'b'],
        ['b', 'volume_set', '{"volume_level": 0.35}', 'c'],
        ['c', 'select_source', '{"source": "TV"}', 'd'],
        ['d', 'volume_mute', '{"is_volume_muted": true}', 'e'],
        ['e', 'media_pause', '', ''],
      ].map(([id, service, data, next]) => ({
        id,
        type: 'api-call-service',
        z: 'tab',
        domain: 'media_player',
        service,
        entityId: ['media_player.lounge'],
        data,
        dataType: 'json',
        wires: [next ? [next] : []],
      })),
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    const written: unknown[] = [];
    const acted: unknown[] = [];
    const b = bench([result.flows[0]!.flow], {
      writeProperty: (role, property, value) => void written.push([role, property, value]),
      invokeAction: (role, action) => void acted.push([role, action]),
    });
    b.engine.start();
    b.engine.runManual(result.flows[0]!.flow.id, 1);
    expect(written).toEqual([
      ['media_player_lounge', 'on', true],
      ['media_player_lounge', 'volume', 35],
      ['media_player_lounge', 'source', 'TV'],
      ['media_player_lounge', 'muted', true],
    ]);
    expect(acted).toEqual([['media_player_lounge', 'pause']]);
  });

  it('says what it understood of notifications and of entities the flow does not say the kind of', () => {
    expect(
      reasonOf({
        type: 'api-call-service',
        domain: 'tts',
        service: 'google_translate_say',
        data: '{"entity_id": "media_player.kitchen", "message": "open"}',
      }),
    ).toMatch(
      /notification or speech through Home Assistant's tts.google_translate_say.*only Home Assistant delivers/,
    );
    // A role never has Home Assistant's "unavailable": testing for it would never hold.
    expect(
      reasonOf({
        type: 'server-state-changed',
        entityidfilter: 'binary_sensor.back_door',
        entityidfiltertype: 'exact',
        haltifstate: 'unavailable',
        halt_if_type: 'str',
        halt_if_compare: 'is',
      }),
    ).toMatch(/tests for Home Assistant's “unavailable” state, which a role never has/);
    expect(reasonOf({ type: 'api-render-template', template: '{{ states("sun.sun") }}' })).toMatch(
      /Jinja template in Home Assistant/,
    );
    expect(reasonOf({ type: 'ha-wait-until', entityId: 'cover.a' })).toMatch(/not a test of its properties/);
    expect(reasonOf({ type: 'api-current-state', entity_id: 'sun.sun' })).toMatch(
      /the sun at Home Assistant's location, whose current state no role holds/,
    );
    expect(
      reasonOf({ type: 'server-state-changed', entityidfilter: 'sun.sun', outputinitially: true }),
    ).toMatch(/sends the sun’s state when Home Assistant connects/);
    expect(
      reasonOf({ type: 'api-current-state', entity_id: 'lock.front', state_type: 'habool', wires: [[]] }),
    ).toMatch(/habool value, which the role's locked is not/);
    expect(
      reasonOf({
        type: 'poll-state',
        entityId: 'switch.a',
        updateInterval: '10',
        updateIntervalUnits: 'seconds',
        outputInitially: true,
      }),
    ).toMatch(/when the flows start/);
    expect(
      reasonOf({
        type: 'server-state-changed',
        entityidfilter: 'switch.a',
        ifState: 'on',
        ifStateOperator: 'is',
        for: '10',
        forUnits: 'seconds',
        outputs: 2,
        wires: [[], ['x']],
      }),
    ).toMatch(/failing its condition at once/);
  });
});
