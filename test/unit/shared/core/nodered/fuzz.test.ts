/**
 * The Node-RED importer never crashes: random exports (real node types with random settings,
 * wires to existing and missing ids, links, groups, subflows, junk values) either give valid
 * flows whose edges all connect, or a NodeRedImportError saying why the input is not an export.
 */
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Flow } from '../../../../../shared/core/flow/schema';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { importNodeRed, NodeRedImportError } from '../../../../../shared/core/nodered/import';

const TYPES = [
  'inject',
  'switch',
  'change',
  'mqtt in',
  'mqtt out',
  'delay',
  'debug',
  'function',
  'trigger',
  'rbe',
  'range',
  'template',
  'split',
  'join',
  'json',
  'link in',
  'link out',
  'junction',
  'catch',
  'http request',
  'tab',
  'group',
  'subflow',
  'subflow:s1',
  'comment',
  'ui_button',
  'api-call-service',
  'server-state-changed',
  'trigger-state',
  'api-current-state',
];
const ids = ['a', 'b', 'c', 'd', 'e', 'f', 's1', 't1', 'missing', 'a.b'];
const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    'payload',
    'payload.x',
    'msg',
    'flow',
    'global',
    'env',
    'jsonata',
    'str',
    'num',
    'json',
    'bool',
    'date',
    '$x',
    '{{payload}}',
    '{{#a}}x{{/a}}',
    'return',
    'true',
    '5',
    '-1',
    '50%',
  ),
);
const rule = fc.record(
  {
    t: fc.constantFrom(
      'eq',
      'gt',
      'btwn',
      'cont',
      'regex',
      'else',
      'jsonata_exp',
      'set',
      'delete',
      'move',
      'change',
      'istype',
      'x',
    ),
    p: junk,
    pt: junk,
    to: junk,
    tot: junk,
    v: junk,
    vt: junk,
    v2: junk,
    v2t: junk,
  },
  { requiredKeys: [] },
);
const node = fc.record(
  {
    id: fc.constantFrom(...ids),
    type: fc.constantFrom(...TYPES),
    z: fc.constantFrom('t1', 's1', 'nope'),
    name: junk,
    x: junk,
    y: junk,
    g: fc.constantFrom('g1', 'a'),
    wires: fc.oneof(fc.array(fc.array(fc.constantFrom(...ids), { maxLength: 3 }), { maxLength: 4 }), junk),
    links: fc.oneof(fc.array(fc.constantFrom(...ids), { maxLength: 3 }), junk),
    rules: fc.oneof(fc.array(rule, { maxLength: 4 }), junk),
    nodes: fc.array(fc.constantFrom(...ids), { maxLength: 3 }),
    in: fc.array(
      fc.record({
        x: junk,
        y: junk,
        wires: fc.array(fc.record({ id: fc.constantFrom(...ids) }), { maxLength: 2 }),
      }),
      { maxLength: 1 },
    ),
    topic: junk,
    property: junk,
    propertyType: junk,
    payload: junk,
    payloadType: junk,
    repeat: junk,
    crontab: junk,
    once: junk,
    pauseType: junk,
    timeout: junk,
    timeoutUnits: junk,
    rate: junk,
    complete: junk,
    targetType: junk,
    func: junk,
    op1: junk,
    op1type: junk,
    op2: junk,
    op2type: junk,
    duration: junk,
    units: junk,
    extend: junk,
    gap: junk,
    minin: junk,
    maxin: junk,
    minout: junk,
    maxout: junk,
    action: junk,
    template: junk,
    syntax: junk,
    mode: junk,
    count: junk,
    build: junk,
    url: junk,
    method: junk,
    outputs: junk,
    inputs: junk,
    datatype: junk,
    entityId: fc.oneof(
      fc.constantFrom('switch.a', 'light.b', 'cover.c', 'person.d', 'switch.a,light.b'),
      junk,
    ),
    entities: fc.oneof(
      fc.record({ entity: fc.array(fc.constantFrom('switch.a', 'x'), { maxLength: 2 }) }),
      junk,
    ),
    domain: fc.oneof(fc.constantFrom('switch', 'light', 'cover', 'homeassistant'), junk),
    service: fc.oneof(fc.constantFrom('turn_on', 'toggle', 'close_cover', 'x'), junk),
    ifState: junk,
    constraints: fc.oneof(
      fc.array(fc.record({ targetType: junk, propertyType: junk, comparatorValue: junk })),
      junk,
    ),
  },
  { requiredKeys: ['id', 'type'] },
);

describe('Node-RED import under random exports', () => {
  it('gives valid flows whose edges connect, or says the input is not an export', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(node, { maxLength: 25 }), junk, fc.array(junk, { maxLength: 3 })),
        (input) => {
          let result: ReturnType<typeof importNodeRed>;
          try {
            result = importNodeRed(input);
          } catch (error) {
            expect(error).toBeInstanceOf(NodeRedImportError);
            return;
          }
          expect(result.wiresKept).toBeLessThanOrEqual(result.wires);
          expect(result.converted + result.placeholders).toBe(result.total);
          for (const { flow } of result.flows) {
            expect([...Value.Errors(Flow, flow)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
            const broken = validateFlow(flow, []).filter((p) =>
              [
                'flow.invalid_document',
                'flow.unknown_kind',
                'flow.unknown_node',
                'flow.unknown_port',
                'flow.duplicate_id',
              ].includes(p.code),
            );
            expect(broken).toEqual([]);
          }
        },
      ),
      { numRuns: 400 },
    );
    // A few seconds alone; a loaded 2-core machine needs longer.
  }, 120_000);

  it('reads text that is not JSON as a clear error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          importNodeRed(text);
        } catch (error) {
          expect(error).toBeInstanceOf(NodeRedImportError);
        }
      }),
    );
  });
});
