import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkExpression } from '../../../../../shared/core/expr/cel';
import { getNodeKind } from '../../../../../shared/core/flow/catalog';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { importNodeRed, NodeRedImportError } from '../../../../../shared/core/nodered/import';
import { Value } from '@sinclair/typebox/value';
import { Flow } from '../../../../../shared/core/flow/schema';

const fixture = (name: string) => readFileSync(`test/fixtures/nodered/${name}`, 'utf8');

/** Every imported flow must be a valid flow document whose expressions parse. */
const expectValidFlows = (result: ReturnType<typeof importNodeRed>) => {
  for (const { flow } of result.flows) {
    expect([...Value.Errors(Flow, flow)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    for (const node of flow.nodes) {
      const kind = getNodeKind(node.kind);
      expect(kind, node.kind).toBeDefined();
      for (const field of kind!.expressions) {
        const sources = field.each
          ? Object.values((node.config[field.path] ?? {}) as Record<string, string>)
          : field.path.includes('*')
            ? ((node.config.rules ?? []) as { when: string }[]).map((r) => r.when)
            : [node.config[field.path]];
        // An empty expression is one the import could not write (JSONata); the validator flags it.
        for (const source of sources.filter((s): s is string => typeof s === 'string' && s !== '')) {
          const check = checkExpression(source, { payload: {}, roles: [] }, field.expects);
          expect(check, `${node.id} ${field.path}: ${source}`).toMatchObject({ ok: true });
        }
      }
    }
  }
};

describe('Node-RED import', () => {
  it('converts a motion → light flow with mqtt in/out, switch, change, delay, debug and a group', () => {
    const result = importNodeRed(fixture('motion-light.json'));
    expect(result.flows).toHaveLength(1);
    const { flow, groups } = result.flows[0]!;
    expect(flow.name).toBe('Hallway lights');
    const byLabel = new Map(flow.nodes.map((n) => [n.label, n]));
    expect(byLabel.get('Hallway PIR')).toMatchObject({
      kind: 'trigger.mqtt',
      config: { topic: 'zigbee2mqtt/hallway_pir', format: 'json' },
    });
    expect(byLabel.get('Occupied?')).toMatchObject({
      kind: 'logic.switch',
      config: {
        rules: [
          { port: 'rule-1', when: 'payload.occupancy == true' },
          { port: 'rule-2', when: 'payload.occupancy == false' },
        ],
        firstMatch: false,
      },
    });
    expect(byLabel.get('ON')).toMatchObject({
      kind: 'logic.transform',
      config: { payload: '{"state": "ON"}' },
    });
    expect(byLabel.get('2 min')).toMatchObject({ kind: 'logic.delay', config: { seconds: 120 } });
    expect(byLabel.get('OFF')).toMatchObject({
      kind: 'logic.transform',
      config: { payload: '{}', set: { state: '"OFF"' } },
    });
    expect(byLabel.get('Hallway light')).toMatchObject({
      kind: 'action.mqtt-publish',
      config: { topic: 'zigbee2mqtt/hallway_light/set', qos: 1, retain: false },
    });
    expect(byLabel.get('PIR debug')).toMatchObject({
      kind: 'action.log',
      config: { message: 'string(payload.occupancy)' },
    });
    // Wires keep their Node-RED output index as the switch's rule port.
    const switchId = byLabel.get('Occupied?')!.id;
    expect(flow.edges.filter((e) => e.from.node === switchId).map((e) => [e.from.port, e.to.node])).toEqual([
      ['rule-1', byLabel.get('ON')!.id],
      ['rule-2', byLabel.get('2 min')!.id],
    ]);
    expect(flow.edges).toHaveLength(6);
    expect(groups).toEqual([
      {
        id: 'c0ffee0000000001',
        label: 'Motion to light',
        nodes: ['1a2b3c4d5e6f7081', '2b3c4d5e6f708192', '3c4d5e6f70819203'],
      },
    ]);
    // The delete rule did not convert, and the report says so; the broker comes from the site.
    expect(result.notes.map((n) => `${n.nodeName}: ${n.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OFF: Left out the “delete” rule on msg.topic/),
        expect.stringMatching(/^Hallway PIR: The broker comes from the site profile/),
      ]),
    );
    expect(result).toMatchObject({ converted: 7, total: 7, placeholders: 0, wiresKept: result.wires });
    expectValidFlows(result);
  });

  it('keeps a function node as a placeholder with every wire, publishes to msg.topic, and reports what changed', () => {
    const result = importNodeRed(fixture('inject-function.json'));
    const { flow } = result.flows[0]!;
    const kinds = flow.nodes.map((n) => n.kind).sort();
    expect(kinds).toEqual([
      'action.http-request',
      'action.log',
      'action.mqtt-publish',
      'logic.switch',
      'logic.throttle',
      'logic.transform',
      'logic.transform',
      'nodered.unconverted',
      'trigger.cron',
      // “Inject once after start” is a Gateway started trigger beside the interval.
      'trigger.gateway-started',
      'trigger.interval',
    ]);
    // Node-RED 1.x ids with dots become valid Fieldgraph ids.
    expect(flow.id).toBe('a1b2c3d4_e5f6a7');
    const cron = flow.nodes.find((n) => n.kind === 'trigger.cron')!;
    expect(cron.config).toEqual({ cron: '00 07 * * 1,2,3,4,5' });
    // The fixed payload 42 is sent by a transform after the trigger.
    const value = flow.nodes.find((n) => n.id === `${cron.id}-value`)!;
    expect(value.config).toEqual({ payload: '42.0' });
    expect(flow.edges).toContainEqual(
      expect.objectContaining({ from: { node: cron.id, port: 'out' }, to: { node: value.id, port: 'in' } }),
    );
    // The function node keeps its code and sits between the inject and the switch.
    const fn = flow.nodes.find((n) => n.label === 'compute level')!;
    expect(fn).toMatchObject({
      kind: 'nodered.unconverted',
      config: { type: 'function', outputs: 1, inputs: 1, code: expect.stringContaining('Math.min(100') },
    });
    const sw = flow.nodes.find((n) => n.kind === 'logic.switch')!;
    expect(flow.edges).toContainEqual(
      expect.objectContaining({ from: { node: value.id, port: 'out' }, to: { node: fn.id, port: 'in' } }),
    );
    expect(flow.edges).toContainEqual(
      expect.objectContaining({ from: { node: fn.id, port: 'out1' }, to: { node: sw.id, port: 'in' } }),
    );
    // The JSONata rule is not copied as CEL: its condition is left empty, which the validator flags.
    expect(sw.config.rules).toEqual([
      { port: 'rule-1', when: 'payload > 50.0' },
      { port: 'rule-2', when: 'payload >= 10.0 && payload <= 50.0' },
      { port: 'rule-3', when: '' },
    ]);
    expect(sw.config.firstMatch).toBe(true);
    // Without a topic of its own the mqtt out publishes to the topic each message carries.
    const publish = flow.nodes.find((n) => n.kind === 'action.mqtt-publish')!;
    expect(publish.config).toMatchObject({ topicFrom: 'topic' });
    expect(publish.config.topic).toBeUndefined();
    // Every wire of the export is an edge; the http request's body is the payload again.
    expect(result).toMatchObject({ total: 8, converted: 7, placeholders: 1, wires: 7, wiresKept: 7 });
    const http = flow.nodes.find((n) => n.kind === 'action.http-request')!;
    expect(flow.edges).toContainEqual(
      expect.objectContaining({
        from: { node: sw.id, port: 'otherwise' },
        to: { node: http.id, port: 'in' },
      }),
    );
    expect(flow.nodes.find((n) => n.id === `${http.id}-body`)?.config).toEqual({
      payload: 'payload.body',
      properties: { statusCode: 'payload.status' },
    });
    expect(flow.nodes.find((n) => n.kind === 'logic.throttle')!.config).toEqual({ seconds: 30 });

    const messages = result.notes.map((n) => `${n.nodeType} ${n.severity}: ${n.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^function placeholder: Its JavaScript was not translated \(no exact CEL equivalent\): it uses a call to setTimeout\(\)/,
        ),
        expect.stringMatching(
          /^switch reference: It uses a JSONata expression `\$count\(payload\[0\]\)`, which was not copied/,
        ),
        expect.stringMatching(/^switch unsupported: Rule 3 tests a JSONata expression/),
        expect.stringMatching(
          /^http request changed: Request headers a message carries \(msg.headers\) are not sent/,
        ),
      ]),
    );
    expectValidFlows(result);
    // The validator blocks the deploy: a placeholder, one switch rule to write.
    const problems = validateFlow(flow, []).filter((p) => p.severity === 'error');
    expect(problems.map((p) => [p.code, p.nodeId, p.path ?? ''])).toEqual(
      expect.arrayContaining([
        ['flow.unconverted_node', fn.id, ''],
        ['flow.missing_config', sw.id, 'rules.2.when'],
      ]),
    );
    expect(problems.find((p) => p.nodeId === fn.id)?.message).toMatch(
      /“function” node “compute level” was not converted/,
    );
  });

  it('rejects what is not a Node-RED export with a message saying how to get one', () => {
    expect(() => importNodeRed('{"not": "a list"}')).toThrow(NodeRedImportError);
    expect(() => importNodeRed('{"not": "a list"}')).toThrow(/JSON list of nodes/);
    expect(() => importNodeRed('[1, 2')).toThrow(/Export → Clipboard/);
    expect(() => importNodeRed('[]')).toThrow(/no Node-RED nodes/);
  });
});
