/**
 * The TD / TM importer never crashes: random Thing Descriptions (odd hrefs, URI templates,
 * broken percent-escapes, every op, tm:extends and tm:ref loops) and arbitrary JSON either
 * import as a model that validates, or give problems saying why.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../../../shared/core/model/catalog';
import { validateDeviceModel } from '../../../../../../shared/core/model/validate';
import { importThingDescription } from '../../../../../../shared/core/model/wot/import';

let catalog: Catalog;
beforeAll(() => {
  catalog = createCatalog([], []);
});

const href = fc.oneof(
  fc.constantFrom(
    'mqtt://b:1883/a%20b/c',
    'mqtt://b/%ZZ/x',
    'mqtts://b',
    'mqtt://b/a/+/#',
    'http://h/x/{id}',
    'https://h/{?a,b}',
    '{/p*}',
    'props/{x}',
    '/abs',
    '../up',
    'coap://h/x',
    'ws://h',
    'http://{{HOST}}/x',
    '{{BASE}}/y',
    'http://[::1/x',
    '',
    '{',
    '}{',
    'http://h/{a-b}',
    'javascript:alert(1)',
  ),
  fc.string({ maxLength: 20 }),
);
const op = fc.constantFrom(
  'readproperty',
  'writeproperty',
  'observeproperty',
  'invokeaction',
  'subscribeevent',
  'x',
);
const form = fc.record(
  {
    href,
    op: fc.oneof(op, fc.array(op, { maxLength: 3 })),
    'mqv:topic': fc.oneof(fc.string({ maxLength: 10 }), fc.constant('a/{{T}}/b')),
    'mqv:filter': fc.string({ maxLength: 10 }),
    subprotocol: fc.constantFrom('longpoll', 'sse', 'webhook', 'websub', 'x'),
    contentType: fc.constantFrom('application/json', 'text/plain', 'text/event-stream', 'image/png'),
    'htv:methodName': fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  },
  { requiredKeys: ['href'] },
);
const schema = fc.record(
  {
    type: fc.constantFrom('string', 'number', 'integer', 'boolean', 'object', 'array', 'null', 'nope'),
    enum: fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
    minimum: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
    title: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
  },
  { requiredKeys: [] },
);
const affordance = fc.record(
  {
    forms: fc.oneof(fc.array(form, { maxLength: 3 }), fc.jsonValue()),
    type: fc.constantFrom('string', 'number', 'boolean'),
    readOnly: fc.boolean(),
    writeOnly: fc.boolean(),
    observable: fc.boolean(),
    uriVariables: fc.dictionary(fc.constantFrom('id', 'a', 'b', 'x', 'p'), schema, { maxKeys: 3 }),
    'tm:ref': fc.constantFrom('#/properties/a', '#/properties', '#', 'other.tm.json#/x', '#/actions/0'),
    data: schema,
    input: schema,
  },
  { requiredKeys: [] },
);
const affordances = fc.dictionary(
  fc.oneof(fc.constantFrom('a', 'on-off', 'on_off', '0', '__proto__x'), fc.string({ maxLength: 6 })),
  fc.oneof(affordance, fc.jsonValue()),
  { maxKeys: 4 },
);
const thing = fc.record(
  {
    '@context': fc.constantFrom(
      'https://www.w3.org/2022/wot/td/v1.1',
      ['https://www.w3.org/2019/wot/td/v1', { mqv: 'x' }],
      'nope',
    ),
    '@type': fc.constantFrom('tm:ThingModel', 'Thing', ['tm:ThingModel']),
    title: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
    base: fc.constantFrom('http://h:8080/api/', 'mqtt://b:1883', 'https://h/{key}/', 'rel/', '::'),
    uriVariables: fc.dictionary(fc.constantFrom('id', 'key'), schema, { maxKeys: 2 }),
    links: fc.array(
      fc.record({
        rel: fc.constantFrom('tm:extends', 'tm:submodel', 'item'),
        href: fc.constantFrom('self.tm.json', 'other.tm.json', 'http://x/y'),
      }),
      { maxLength: 2 },
    ),
    properties: affordances,
    actions: affordances,
    events: affordances,
  },
  { requiredKeys: ['@context'] },
);

describe('TD import under random input', () => {
  it('imports a model that validates, or gives problems, for random Thing Descriptions and Models', () => {
    fc.assert(
      fc.property(thing, fc.boolean(), (input, withBase) => {
        // A loader that hands back the input itself for every link: loops must be caught.
        const load = (h: string) => (h === 'other.tm.json' ? undefined : { id: h, json: input });
        const r = importThingDescription(input, catalog, {
          file: 'self.tm.json',
          load,
          ...(withBase ? { base: 'http://127.0.0.1/' } : {}),
        });
        if (!r.ok) {
          expect(r.problems.some((p) => p.severity === 'error')).toBe(true);
          return;
        }
        const withOwn = createCatalog(r.capabilities, []);
        expect(
          validateDeviceModel(r.model, { catalog: withOwn }).filter((p) => p.severity === 'error'),
        ).toEqual([]);
      }),
      { numRuns: 300 },
    );
    // 300 imports and validations take a few seconds alone; a loaded 2-core machine needs longer.
  }, 120_000);

  it('gives problems, never a crash, for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
        const r = importThingDescription(input, catalog);
        if (!r.ok) expect(r.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
