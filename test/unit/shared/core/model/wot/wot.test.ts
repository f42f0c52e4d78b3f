import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTD } from '@node-wot/td-tools';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeProperty } from '../../../../../../shared/core/model/binding';
import { decodeMessage } from '../../../../../../shared/core/model/observe';
import { createCatalog, type Catalog } from '../../../../../../shared/core/model/catalog';
import { resolveMappings } from '../../../../../../shared/core/model/mapping';
import type { DeviceModel, Implementation } from '../../../../../../shared/core/model/schemas';
import { modelToThingDescription } from '../../../../../../shared/core/model/wot/export';
import { importThingDescription } from '../../../../../../shared/core/model/wot/import';
import { loadLibrary } from '../../../../../../shared/node/library/load';

// The W3C TD 1.1 JSON Schema is read in place from the shared data folder, never copied.
const tdSchemaPath = join(
  import.meta.dirname,
  '../../../../../../../shared/data/w3c/td-json-schema-validation.json',
);
const haveTdSchema = existsSync(tdSchemaPath);
if (!haveTdSchema) console.warn(`skipping the W3C TD schema check: ${tdSchemaPath} is absent`);

let catalog: Catalog;
let models: DeviceModel[];
beforeAll(async () => {
  const lib = await loadLibrary();
  // The generic entity model binds nothing itself (its devices carry their own entities), so it
  // has no affordance a TD could describe.
  models = lib.models.filter((m) => Object.keys(m.implements).length > 0);
  expect(models.length).toBe(lib.models.length - 1);
  catalog = createCatalog(lib.capabilities, lib.models);
});

/** The model with named mapping references replaced by the mappings, as a TD carries them. */
const inlineMaps = (model: DeviceModel): Record<string, Implementation> =>
  JSON.parse(
    JSON.stringify(model.implements, (key, value) => {
      if (key === 'map' && Array.isArray(value)) {
        const r = resolveMappings(value, model.mappings);
        return r.ok ? r.mappings : value;
      }
      return value;
    }),
  );

describe('Thing Description export', () => {
  it('produces a TD that node-wot parses, for every built-in model', () => {
    expect(models.length).toBeGreaterThanOrEqual(12);
    for (const model of models) {
      const td = modelToThingDescription(model, catalog);
      const thing = parseTD(JSON.stringify(td));
      expect(thing.title, model.id).toBe(model.title);
      const affordances = Object.keys({ ...thing.properties, ...thing.actions, ...thing.events });
      expect(affordances.length, model.id).toBeGreaterThan(0);
    }
  });

  it.skipIf(!haveTdSchema)(
    'validates against the W3C TD 1.1 JSON Schema, for every built-in model, filled or not',
    () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(tdSchemaPath, 'utf8')));
      for (const model of models) {
        for (const td of [
          modelToThingDescription(model, catalog),
          modelToThingDescription(model, catalog, {
            broker: 'mqtt://192.168.1.10:1883',
            variables: { topic: 'kitchen', prefix: 'p', host: '10.0.0.2' },
          }),
        ]) {
          expect(validate(td), `${model.id}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        }
      }
      // The check itself can fail: a TD without security definitions is rejected.
      const broken = modelToThingDescription(models[0]!, catalog);
      delete broken.securityDefinitions;
      expect(validate(broken)).toBe(false);
    },
  );

  it('writes MQTT forms in the binding vocabulary, with instance values when given', () => {
    const relay = models.find((m) => m.id === 'tasmota-relay')!;
    const td = modelToThingDescription(relay, catalog, {
      variables: { topic: 'kitchen_relay' },
      broker: 'mqtt://192.168.1.10:1883',
    }) as {
      properties: Record<string, { forms: Record<string, unknown>[]; type?: string }>;
    };
    const on = td.properties.switch_on!;
    expect(on.type).toBe('boolean');
    expect(on.forms).toContainEqual(
      expect.objectContaining({
        href: 'mqtt://192.168.1.10:1883',
        op: 'writeproperty',
        'mqv:topic': 'cmnd/kitchen_relay/POWER',
      }),
    );
    expect(on.forms).toContainEqual(
      expect.objectContaining({
        'mqv:filter': 'stat/kitchen_relay/POWER',
        op: ['observeproperty', 'unobserveproperty'],
      }),
    );
    const generic = modelToThingDescription(relay, catalog) as typeof td;
    expect(generic.properties.switch_on!.forms).toContainEqual(
      expect.objectContaining({ 'mqv:topic': 'cmnd/{{topic}}/{{power}}' }),
    );
  });
});

describe('Thing Description import', () => {
  it('gets every built-in model back from its exported TD', () => {
    for (const model of models) {
      const result = importThingDescription(
        modelToThingDescription(model, catalog),
        catalog,
        `${model.id}.td.json`,
      );
      expect(result.ok ? [] : result.problems, model.id).toEqual([]);
      if (!result.ok) continue;
      expect(result.capabilities).toEqual([]);
      expect(result.model.id).toBe(model.id);
      expect(result.model.implements, model.id).toEqual(inlineMaps(model));
      expect(result.model.discovery).toEqual(model.discovery);
      expect(result.model.variables).toEqual(model.variables);
    }
  });

  it('imports a foreign TD (the Tasmota example of the MQTT binding) and drives the device through it', () => {
    const td = {
      '@context': ['https://www.w3.org/2022/wot/td/v1.1', { mqv: 'http://www.example.org/mqtt-binding#' }],
      id: 'urn:dev:mac:600194112233',
      title: 'Kitchen Relay',
      securityDefinitions: { nosec_sc: { scheme: 'nosec' } },
      security: 'nosec_sc',
      properties: {
        power: {
          type: 'string',
          enum: ['ON', 'OFF'],
          observable: true,
          forms: [
            {
              href: 'mqtt://192.168.1.10:1883',
              op: 'writeproperty',
              'mqv:topic': 'cmnd/kitchen_relay/POWER',
              contentType: 'text/plain',
            },
            {
              href: 'mqtt://192.168.1.10:1883',
              op: 'observeproperty',
              'mqv:filter': 'stat/kitchen_relay/POWER',
              contentType: 'text/plain',
            },
            { href: 'http://192.168.1.50/cm?cmnd=Power', op: 'readproperty' },
          ],
        },
      },
      actions: {
        toggle: {
          forms: [
            { href: 'mqtt://192.168.1.10:1883', op: 'invokeaction', 'mqv:topic': 'cmnd/kitchen_relay/POWER' },
          ],
        },
      },
      events: {
        availability: {
          data: { type: 'string', enum: ['Online', 'Offline'] },
          forms: [
            {
              href: 'mqtt://192.168.1.10:1883',
              op: 'subscribeevent',
              'mqv:filter': 'tele/kitchen_relay/LWT',
              'mqv:retain': true,
            },
          ],
        },
      },
    };
    const result = importThingDescription(td, catalog, 'kitchen.td.json');
    expect(result.ok ? result.problems : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.capabilities.map((c) => c.id)).toEqual(['kitchen-relay@1']);
    expect(result.capabilities[0]!.properties!.power).toMatchObject({
      data: { type: 'string', enum: ['ON', 'OFF'] },
      write: true,
      observe: true,
    });
    expect(result.model.implements.main!.properties!.power!.read).toEqual({
      kind: 'http',
      method: 'GET',
      url: 'http://192.168.1.50/cm?cmnd=Power',
    });
    const device = { model: result.model, variables: {} };
    expect(writeProperty(device, 'main', 'power', 'ON')).toMatchObject({
      kind: 'mqtt',
      topic: 'cmnd/kitchen_relay/POWER',
      payload: 'ON',
    });
    expect(decodeMessage(device, 'tele/kitchen_relay/LWT', 'Offline')).toEqual([
      {
        implementation: 'main',
        capability: 'kitchen-relay@1',
        kind: 'event',
        name: 'availability',
        value: 'Offline',
      },
    ]);
  });

  it('turns Thing Model placeholders into instance variables', () => {
    const tm = {
      '@context': ['https://www.w3.org/2022/wot/td/v1.1'],
      '@type': 'tm:ThingModel',
      title: 'Lamp TM',
      properties: {
        'on-off': {
          type: 'boolean',
          forms: [
            { href: 'mqtt://{{BROKER}}', op: 'writeproperty', 'mqv:topic': '{{TOPIC}}/set' },
            { href: 'mqtt://{{BROKER}}', op: 'observeproperty', 'mqv:filter': '{{TOPIC}}/state' },
          ],
        },
      },
    };
    const result = importThingDescription(tm, catalog);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.model.variables ?? {}).sort()).toEqual(['BROKER', 'TOPIC']);
    expect(result.model.implements.main!.properties!.on_off!.write).toMatchObject({ topic: '{TOPIC}/set' });
    expect(
      writeProperty({ model: result.model, variables: { TOPIC: 'lamp1' } }, 'main', 'on_off', true),
    ).toMatchObject({
      topic: 'lamp1/set',
      payload: 'true',
    });
  });

  it('explains what is wrong with input that is not a TD', () => {
    const notTd = importThingDescription({ title: 'x' }, catalog, 'x.json');
    expect(notTd).toMatchObject({ ok: false, problems: [{ path: '@context', file: 'x.json' }] });
    expect(importThingDescription([], catalog)).toMatchObject({ ok: false });
    const coapOnly = importThingDescription(
      {
        '@context': 'https://www.w3.org/2022/wot/td/v1.1',
        title: 'CoAP thing',
        properties: { t: { type: 'number', forms: [{ href: 'coap://[::1]/t' }] } },
        securityDefinitions: { n: { scheme: 'nosec' } },
        security: 'n',
      },
      catalog,
    );
    // The capability still comes in; the report says the property could not be bound, and why.
    expect(coapOnly).toMatchObject({
      ok: true,
      report: {
        imported: [],
        skipped: [
          {
            affordance: 'properties/t',
            reason: expect.stringMatching(/protocol \(coap\) is not one Fieldgraph speaks/),
          },
        ],
      },
    });
    expect(coapOnly.problems.map((p) => p.message).join('\n')).toMatch(/no affordance could be bound/);
  });
});
