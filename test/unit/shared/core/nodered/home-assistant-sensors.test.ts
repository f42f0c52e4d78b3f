/**
 * Home Assistant binary sensors, sensors, trackers and notify services, from real nodes of the
 * corpus (fresh/, seen/, unseen/), imported, validated against the built-in library and run on
 * the engine bench: a binary sensor on an on/off state role claiming no meaning, a sensor's
 * number compared as a number, a tracker's zone, a notification as a notifier role's action.
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
const corpus = 'test/fixtures/field/nodered';

/** One node of a corpus file, as it is there (its wires are replaced by the test's). */
const real = (file: string, id: string): Record<string, unknown> => {
  const all = JSON.parse(readFileSync(join(root, corpus, file), 'utf8')) as Record<string, unknown>[];
  const { wires: _, x: __, y: ___, z: ____, ...node } = all.find((n) => n.id === id)!;
  return node;
};
const JOE = 'fresh/JoeStratton+node-red-flows/flows.json';

/**
 * inject → the node → one debug per output (or the node's outputs to debugs when it has no
 * input), imported, validated against the library and started on the bench.
 */
const start = (node: Record<string, unknown>, outputs: number, input?: string) => {
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    ...(input === undefined
      ? []
      : [
          {
            id: 'in',
            type: 'inject',
            z: 'tab',
            props: [{ p: 'payload' }],
            payload: input,
            payloadType: 'str',
            wires: [['ha']],
          },
        ]),
    { ...node, id: 'ha', z: 'tab', wires: Array.from({ length: outputs }, (_, i) => [`out${i}`]) },
    ...Array.from({ length: outputs }, (_, i) => ({
      id: `out${i}`,
      type: 'debug',
      z: 'tab',
      name: `out${i}`,
      complete: 'true',
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
  const said = result.notes.map((n) => n.message).join('\n');
  // Each line names the debug node it came from: out0, out1.
  const logged = () => b.logs.map((l) => `${/out\d/.exec(l.source?.nodeId ?? '')?.[0]}: ${l.text}`);
  return { result, b, flow, said, logged };
};

describe('Home Assistant sensors, trackers and notifications', () => {
  it('a binary sensor is an on/off state role claiming no meaning, its "on" tested as Node-RED did', () => {
    // JoeStratton: "Pantry Door Open", state “on” to the first output, else the second.
    const { result, b, logged, said } = start(real(JOE, '88862886.542098'), 2);
    expect(result.roles).toEqual([
      { id: 'binary_sensor_pantry_door', title: 'binary_sensor.pantry_door', capability: 'binary-state@1' },
    ]);
    b.engine.deliverPropertyChange('binary_sensor_pantry_door', 'active', true);
    b.engine.deliverPropertyChange('binary_sensor_pantry_door', 'active', false);
    expect(logged()).toEqual([
      expect.stringMatching(/^out0: .*"payload":"on"/),
      expect.stringMatching(/^out1: .*"payload":"off"/),
    ]);
    expect(said).toMatch(/does not say binary_sensor.pantry_door's device class \(what it detects\)/);
    expect(said).toMatch(/swap the role's capability to the specific one \(motion@1, contact@1/);
    expect(said).toMatch(/No built-in device model implements binary-state@1.*does not deploy/);
  });

  it('a sensor sent as a number is compared as a number; text that is not one stops with an error', () => {
    // JoeStratton: "Front Door Lock Battery", state as a number, below 30 to the first output.
    const { result, b, logged, said } = start(real(JOE, 'a7421834.42816'), 2);
    expect(result.roles).toEqual([
      {
        id: 'sensor_front_door_lock_battery',
        title: 'sensor.front_door_lock_battery',
        capability: 'reading@1',
      },
    ]);
    for (const v of [25, 80, '12'])
      b.engine.deliverPropertyChange('sensor_front_door_lock_battery', 'value', v);
    const lines = logged();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/out0.*"payload":25\b/);
    expect(lines[1]).toMatch(/out1.*"payload":80\b/);
    expect(lines[2]).toMatch(/out0.*"payload":12\b/);
    b.engine.deliverPropertyChange('sensor_front_door_lock_battery', 'value', 'low');
    expect(b.logs.slice(3).map((l) => l.source?.origin)).toEqual(['error']);
    expect(b.traces.at(-1)?.outcome).toBe('failed');
    expect(said).toMatch(/not a number stops the run with an error here/);
    expect(said).toMatch(/does not say sensor.front_door_lock_battery's device class \(what it measures\)/);
  });

  it('a tracker is a presence role: "home", "not_home" or a zone', () => {
    // JoeStratton: "Brandon Home", state “home” to the first output.
    const { result, b, logged } = start(real(JOE, 'c1bf613f.29803'), 2);
    expect(result.roles[0]).toMatchObject({ id: 'device_tracker_brandons_galaxy', capability: 'presence@1' });
    for (const where of ['home', 'work', 'not_home'])
      b.engine.deliverPropertyChange('device_tracker_brandons_galaxy', 'state', where);
    const lines = logged();
    expect(lines[0]).toMatch(/out0.*"payload":"home"/);
    expect(lines[1]).toMatch(/out1.*"payload":"work"/);
    expect(lines[2]).toMatch(/out1.*"payload":"not_home"/);
  });

  it('a test that the state is not "unavailable" passes every state a role has, and says so', () => {
    // unseen/ha-websocket: “next alarm” changes unless unavailable.
    const node = real(
      'unseen/ha-websocket/cookbook/using-date-and-time-entities-to-trigger-flows/example1a.json',
      '71576a68.4c7494',
    );
    const { b, logged, said } = start(node, 2);
    b.engine.deliverPropertyChange('sensor_pixel_next_alarm', 'value', '2026-12-06T07:00:00');
    expect(logged()).toEqual([expect.stringMatching(/out0.*"payload":"2026-12-06T07:00:00"/)]);
    expect(said).toMatch(/not “unavailable” always passes here/);
  });

  it('the sun’s state trigger is a Sunrise and a Sunset trigger, waiting for the site’s coordinates', () => {
    // seen/ha-websocket sun-events: above the horizon to the first output, below to the second.
    const node = real('seen/ha-websocket/cookbook/sun-events/option_01.json', 'b74ada49.d7e408');
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      { ...node, id: 'ha', z: 'tab', wires: [['up'], ['down']] },
      { id: 'up', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
      { id: 'down', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
    ]);
    expect(result.placeholders).toBe(0);
    const flow = result.flows[0]!.flow;
    const suns = flow.nodes.filter((x) => x.kind === 'trigger.sun');
    expect(suns.map((x) => x.config)).toEqual([
      { event: 'sunrise', offsetMinutes: 0 },
      { event: 'sunset', offsetMinutes: 0 },
    ]);
    // Only the coordinates are missing, and the validator says so.
    const problems = validateFlow(flow, []).filter((p) => p.severity === 'error');
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(`${p.path} ${p.message}`).toMatch(/latitude|longitude/);
    expect(result.notes.map((x) => x.message).join('\n')).toMatch(/set the site’s latitude and longitude/);
    // Placed at Greenwich, each trigger sends Home Assistant's state text to its output.
    const placed = {
      ...flow,
      nodes: flow.nodes.map((x) =>
        x.kind === 'trigger.sun' ? { ...x, config: { ...x.config, latitude: 51.48, longitude: 0 } } : x,
      ),
    };
    expect(validateFlow(placed, []).filter((p) => p.severity === 'error')).toEqual([]);
    const b = bench([placed]);
    b.engine.start();
    b.clock.advance(86_400_000);
    const lines = b.logs.map((l) => `${/up|down/.exec(l.source?.nodeId ?? '')?.[0]}: ${l.text}`);
    expect(lines).toContain('up: above_horizon');
    expect(lines).toContain('down: below_horizon');
  });

  it('a notification is a notifier role’s notify action, the message passed on as it came', () => {
    // JoeStratton: "Brandon Home" → notify.melody with a title and message, wired on.
    const { result, b, flow, logged, said } = start(real(JOE, 'aec6e350.47ffb'), 1, 'hello');
    expect(result.roles).toEqual([{ id: 'notify_melody', title: 'notify.melody', capability: 'notifier@1' }]);
    b.engine.runManual(flow.id);
    expect(b.actions).toEqual([
      {
        role: 'notify_melody',
        action: 'notify',
        input: { title: 'Presense Notifier', message: 'Brandon is Home' },
      },
    ]);
    expect(logged()).toEqual([expect.stringMatching(/"payload":"hello"/)]);
    expect(logged()[0]).not.toMatch(/notify_payload/);
    expect(said).toMatch(/No built-in device model implements notifier@1/);
  });

  it('a notification’s options and {{payload}} tags convert; other tags and keys say why not', () => {
    const alexa = start(real(JOE, '23e64ba5.37308c'), 0, 'x');
    alexa.b.engine.runManual(alexa.flow.id);
    expect(alexa.b.actions).toEqual([
      {
        role: 'notify_alexa_media_joe_s_office_echo_dot',
        action: 'notify',
        input: { message: 'Office light is on', data: { type: 'tts' } },
      },
    ]);
    // unseen/ha-websocket: "The {{payload}} are open."
    const push = start(
      real('unseen/ha-websocket/node/get-entities/example_01.json', '601e97da25388235'),
      0,
      'garage & gate',
    );
    push.b.engine.runManual(push.flow.id);
    expect(push.b.actions[0]!.input).toEqual({ message: 'The garage & gate are open.', title: 'Left Open' });
    expect(push.said).toMatch(/HTML-escaped text in Home Assistant's node/);
    // {{states.sensor.time.state}} is the last state of the sensor.time role, as text.
    const battery = start(real(JOE, '98cd2bd0.df32a8'), 0, 'x');
    expect(battery.result.roles.map((r) => r.id)).toEqual(['notify_melody', 'sensor_time']);
    battery.b.engine.deliverPropertyChange('sensor_time', 'value', '07:15');
    battery.b.engine.runManual(battery.flow.id);
    expect(battery.b.actions[0]!.input).toMatchObject({ title: 'August Battery Update 07:15' });
    const reason = (data: string) => {
      const r = importNodeRed([
        { id: 'tab', type: 'tab', label: 'T' },
        { id: 'n', z: 'tab', type: 'api-call-service', domain: 'notify', service: 'jo', data, wires: [[]] },
      ]);
      return r.notes.find((n) => n.severity === 'placeholder')?.message;
    };
    expect(reason('{"message": "{{flow.who}} is home"}')).toMatch(/fills in \{\{flow.who\}\}/);
    expect(reason('{"message": "hi", "priority": 2}')).toMatch(
      /“priority” that a notifier role has no place for/,
    );
    expect(reason('{"title": "hi"}')).toMatch(/no message/);
    expect(reason('')).toMatch(/names no message/);
  });
});
