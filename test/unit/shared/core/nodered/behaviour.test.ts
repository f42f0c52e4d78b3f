/**
 * Converted Node-RED nodes do what they did in Node-RED: small exports run on the engine bench
 * (fake clock), and the debug node's log shows what reached it.
 */
import { describe, expect, it } from 'vitest';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench, stepsOf } from '../engine/harness';

/** inject → NODE → debug, imported and deployed; returns a function that injects a payload. */
const run = (middle: Record<string, unknown>) => {
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [['mid']] },
    { id: 'mid', z: 'tab', ...middle, wires: [['out']] },
    { id: 'out', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
  ]);
  expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
  const flow = result.flows[0]!.flow;
  const b = bench([flow]);
  b.engine.start();
  return {
    b,
    send: (payload: unknown) => b.engine.runManual(flow.id, payload),
    logged: () => b.logs.map((l) => l.text),
  };
};

describe('converted Node-RED nodes behave as in Node-RED', () => {
  it('rbe passes a value only when it changed', () => {
    const { send, logged } = run({ type: 'rbe', func: 'rbe', property: 'payload', septopics: false });
    for (const v of [1, 1, 2, 2, 1]) send(v);
    expect(logged()).toEqual(['1', '2', '1']);
  });

  it('rbe with a dead band passes changes larger than the band', () => {
    const { send, logged } = run({
      type: 'rbe',
      func: 'deadband',
      gap: '5',
      property: 'payload',
      inout: 'out',
    });
    for (const v of [10, 12, 16, 18, 22]) send(v);
    expect(logged()).toEqual(['10', '16', '22']);
  });

  it('range scales, clamps and rounds', () => {
    const { send, logged } = run({
      type: 'range',
      minin: '0',
      maxin: '1023',
      minout: '0',
      maxout: '100',
      action: 'clamp',
      round: true,
      property: 'payload',
    });
    for (const v of [0, 512, 1023, 2000, -5]) send(v);
    expect(logged()).toEqual(['0', '50', '100', '100', '0']);
  });

  it('a mustache template becomes text built from the payload', () => {
    const { send, logged } = run({
      type: 'template',
      field: 'payload',
      fieldType: 'msg',
      syntax: 'mustache',
      output: 'str',
      template: 'Temp is {{payload.t}} °C',
    });
    send({ t: 21.5 });
    expect(logged()).toEqual(['Temp is 21.5 °C']);
  });

  it('a trigger sends its first value at once and its second after the time, ignoring repeats', () => {
    const { b, send, logged } = run({
      type: 'trigger',
      op1: 'on',
      op1type: 'str',
      op2: 'off',
      op2type: 'str',
      duration: '2',
      units: 's',
      extend: false,
      outputs: 1,
    });
    send(1);
    send(1);
    expect(logged()).toEqual(['on']);
    b.clock.advance(2_000);
    expect(logged()).toEqual(['on', 'off']);
  });

  it('a change node sets payload fields and a flow variable', () => {
    const { b, send } = run({
      type: 'change',
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: '{"a":1}', tot: 'json' },
        { t: 'set', p: 'last', pt: 'flow', to: 'payload', tot: 'msg' },
        { t: 'set', p: 'payload.b', pt: 'msg', to: 'x', tot: 'str' },
      ],
    });
    send(0);
    const trace = b.traces.at(-1);
    // What reached the debug node, and the flow variable the trace recorded.
    expect(stepsOf(trace, 'out')[0]?.input).toEqual({ a: 1, b: 'x' });
    expect(JSON.stringify(trace)).toMatch(/"last"/);
  });
  it('a template with output “Parsed JSON” sends the value its filled-in text parses to', () => {
    const { b, send } = run({
      type: 'template',
      field: 'payload',
      fieldType: 'msg',
      syntax: 'mustache',
      output: 'json',
      template: '{"entity_id": "light.{{payload.room}}", "level": {{payload.level}}}',
    });
    send({ room: 'hall', level: 40 });
    // What reached the debug node: the object Node-RED parses (the last brace is text, not a tag).
    expect(stepsOf(b.traces.at(-1), 'out')[0]?.input).toEqual({ entity_id: 'light.hall', level: 40 });
  });

  it('each instance of a subflow runs its own copy: a rbe inside remembers per instance', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'sf',
        type: 'subflow',
        name: 'Only changes',
        in: [{ x: 0, y: 0, wires: [{ id: 'sf-rbe' }] }],
        out: [{ x: 0, y: 0, wires: [{ id: 'sf-rbe', port: 0 }] }],
      },
      { id: 'sf-rbe', type: 'rbe', z: 'sf', func: 'rbe', property: 'payload', wires: [[]] },
      {
        id: 'in1',
        type: 'inject',
        z: 'tab',
        props: [{ p: 'payload' }],
        payloadType: 'date',
        wires: [['i1']],
      },
      {
        id: 'in2',
        type: 'inject',
        z: 'tab',
        props: [{ p: 'payload' }],
        payloadType: 'date',
        wires: [['i2']],
      },
      { id: 'i1', type: 'subflow:sf', z: 'tab', x: 100, y: 100, wires: [['log1']] },
      { id: 'i2', type: 'subflow:sf', z: 'tab', x: 100, y: 300, wires: [['log2']] },
      { id: 'log1', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
      { id: 'log2', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
    ]);
    // The subflow's rbe counts once, the two instances as converted; every wire is kept.
    expect(result).toMatchObject({ total: 7, converted: 7, placeholders: 0, wires: 4, wiresKept: 4 });
    expect(result.flows).toHaveLength(1);
    const flow = result.flows[0]!.flow;
    expect(flow.nodes.filter((n) => n.kind === 'logic.if')).toHaveLength(2);
    const b = bench([flow]);
    b.engine.start();
    const manual = flow.nodes.filter((n) => n.kind === 'trigger.manual').map((n) => n.id);
    expect(manual).toHaveLength(2);
    const inject = (node: string, payload: unknown) => b.engine.runManual(flow.id, payload, node);
    inject(manual[0]!, 1);
    inject(manual[1]!, 1);
    inject(manual[0]!, 1);
    inject(manual[1]!, 2);
    expect(b.logs.map((l) => l.text)).toEqual(['1', '1', '2']);
  });
  it('Home Assistant nodes on one switch become its role: a state trigger with its condition, and a service call', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'changed',
        type: 'server-state-changed',
        z: 'tab',
        version: 6,
        entities: { entity: ['switch.porch'], substring: [], regex: [] },
        outputInitially: false,
        stateType: 'str',
        ifState: 'on',
        ifStateType: 'str',
        ifStateOperator: 'is',
        outputs: 2,
        for: '0',
        outputProperties: [{ property: 'payload', propertyType: 'msg', value: '', valueType: 'entityState' }],
        wires: [['on'], ['off']],
      },
      { id: 'on', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
      {
        id: 'off',
        type: 'api-call-service',
        z: 'tab',
        version: 1,
        service_domain: 'light',
        service: 'turn_off',
        entityId: 'light.garden',
        data: '',
        output_location_type: 'none',
        wires: [['done']],
      },
      { id: 'done', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
    ]);
    expect(result).toMatchObject({ total: 4, converted: 4, placeholders: 0, wires: 3, wiresKept: 3 });
    expect(result.roles).toEqual([
      { id: 'switch_porch', title: 'switch.porch', capability: 'switch@1' },
      { id: 'light_garden', title: 'light.garden', capability: 'switch@1' },
    ]);
    const flow = result.flows[0]!.flow;
    expect(flow.roles).toEqual(['light_garden', 'switch_porch']);
    const written: unknown[] = [];
    const b = bench([flow], {
      writeProperty: (role, property, value) => void written.push([role, property, value]),
    });
    b.engine.start();
    // “on” reaches the debug as Home Assistant's text; “off” turns the garden light off and goes on.
    b.engine.deliverPropertyChange('switch_porch', 'on', true);
    b.engine.deliverPropertyChange('switch_porch', 'on', false);
    expect(b.logs.map((l) => l.text)).toEqual(['on', 'off']);
    expect(written).toEqual([['light_garden', 'on', false]]);
  });

  it('Home Assistant nodes stay placeholders when a role cannot do what they do', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'p',
        type: 'server-state-changed',
        z: 'tab',
        entityidfilter: 'zone.home',
        entityidfiltertype: 'exact',
        wires: [[]],
      },
      {
        id: 'r',
        type: 'trigger-state',
        z: 'tab',
        entityid: '^light\\..+$',
        entityidfiltertype: 'regex',
        wires: [[]],
      },
      {
        id: 'f',
        type: 'server-state-changed',
        z: 'tab',
        entityidfilter: 'switch.a',
        for: '5',
        forType: 'env',
        forUnits: 'minutes',
        wires: [[]],
      },
      {
        id: 'd',
        type: 'api-call-service',
        z: 'tab',
        service_domain: 'light',
        service: 'turn_on',
        entityId: 'light.a',
        data: '{"brightness_pct": "{{payload}}"}',
        wires: [[]],
      },
      {
        id: 'm',
        type: 'api-call-service',
        z: 'tab',
        service_domain: '',
        service: '',
        entityId: '',
        wires: [[]],
      },
    ]);
    expect(result).toMatchObject({ total: 5, converted: 0, placeholders: 5 });
    expect(result.roles).toEqual([]);
    expect(
      result.notes.filter((n) => n.severity === 'placeholder').map((n) => `${n.nodeId}: ${n.message}`),
    ).toEqual([
      expect.stringMatching(/^p: Its entity “zone.home” is of a kind no Fieldgraph capability describes/),
      expect.stringMatching(/^r: It follows every entity matching a regex/),
      expect.stringMatching(/^f: It waits for the state to hold for 5 minutes/),
      expect.stringMatching(/^d: Its service data “brightness_pct” is a template/),
      expect.stringMatching(/^m: It takes the service to call from the message/),
    ]);
  });
  it('flow context its tab’s change nodes set is read as a flow variable; set elsewhere too, it is not', () => {
    const tab = (z: string, fn?: string) => [
      { id: `${z}`, type: 'tab', label: z },
      {
        id: `${z}-set`,
        type: 'inject',
        z,
        props: [{ p: 'payload' }],
        payloadType: 'date',
        wires: [[`${z}-keep`]],
      },
      {
        id: `${z}-keep`,
        type: 'change',
        z,
        rules: [{ t: 'set', p: 'level', pt: 'flow', to: 'payload', tot: 'msg' }],
        wires: [[]],
      },
      {
        id: `${z}-show`,
        type: 'inject',
        z,
        props: [{ p: 'payload', v: 'level', vt: 'flow' }],
        wires: [[`${z}-log`]],
      },
      { id: `${z}-log`, type: 'debug', z, complete: 'payload', wires: [] },
      ...(fn ? [{ id: `${z}-fn`, type: 'function', z, func: fn, wires: [[]] }] : []),
    ];
    const result = importNodeRed(tab('t1'));
    expect(result.placeholders).toBe(0);
    const flow = result.flows[0]!.flow;
    expect(flow.nodes.find((n) => n.id === 't1-show-value')?.config).toEqual({ payload: 'vars.level' });
    const b = bench([flow]);
    b.engine.start();
    const manual = (id: string) => flow.nodes.find((n) => n.id === id)!.id;
    b.engine.runManual(flow.id, 7, manual('t1-set'));
    b.engine.runManual(flow.id, null, manual('t1-show'));
    expect(b.logs.map((l) => l.text)).toEqual(['7']);
    // Function code that sets it too, or another tab using the same name: it stays a placeholder.
    const mixed = importNodeRed([...tab('t1', 'flow.set("level", 1); return msg;')]);
    expect(mixed.notes.find((n) => n.nodeId === 't1-show')?.message).toMatch(/flow context “level”/);
    const twoTabs = importNodeRed([...tab('t1'), ...tab('t2')]);
    expect(twoTabs.notes.filter((n) => n.severity === 'placeholder').map((n) => n.nodeId)).toEqual([
      't1-show',
      't2-show',
    ]);
  });
});
