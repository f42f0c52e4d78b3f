/**
 * Thing Description forms as people write them: MQTT topics in the href path (node-wot),
 * URI templates with typed uriVariables, relative hrefs against base or where the TD came
 * from, HTTP long-poll and server-sent events, and Thing Models composed with tm:extends and
 * tm:ref.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { invokeAction, writeProperty } from '../../../../../../shared/core/model/binding';
import { createCatalog, type Catalog } from '../../../../../../shared/core/model/catalog';
import { compileDevice, decodeMessage } from '../../../../../../shared/core/model/observe';
import { importThingDescription } from '../../../../../../shared/core/model/wot/import';
import { loadLibrary } from '../../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const td = (rest: Record<string, unknown>) => ({
  '@context': 'https://www.w3.org/2022/wot/td/v1.1',
  title: 'Thing',
  securityDefinitions: { n: { scheme: 'nosec' } },
  security: 'n',
  ...rest,
});

describe('MQTT forms', () => {
  it('takes the topic from the href path, percent-decoded, as node-wot writes it', () => {
    const r = importThingDescription(
      td({
        title: 'Temperature Sensor',
        properties: {
          temperature: {
            type: 'number',
            observable: true,
            readOnly: true,
            forms: [
              {
                href: 'mqtt://broker:1885/Temperature%20Sensor/properties/temperature',
                op: ['readproperty', 'observeproperty'],
              },
            ],
          },
        },
        actions: { reset: { forms: [{ href: 'mqtt://broker:1885/Temperature%20Sensor/actions/reset' }] } },
        events: {
          temperaturePeak: {
            data: { type: 'number' },
            forms: [{ href: 'mqtt://broker:1885/Temperature%20Sensor/events/temperaturePeak' }],
          },
        },
      }),
      catalog,
    );
    expect(r.ok && r.report).toEqual({
      imported: ['properties/temperature', 'actions/reset', 'events/temperaturePeak'],
      skipped: [],
    });
    if (!r.ok) return;
    const device = { model: r.model, variables: {} };
    expect(compileDevice(device).topicFilters).toEqual([
      'Temperature Sensor/properties/temperature',
      'Temperature Sensor/events/temperaturePeak',
    ]);
    expect(decodeMessage(device, 'Temperature Sensor/events/temperaturePeak', '31.5')).toMatchObject([
      { kind: 'event', name: 'temperaturePeak', value: 31.5 },
    ]);
    expect(invokeAction(device, 'main', 'reset', null)).toMatchObject({
      kind: 'mqtt',
      topic: 'Temperature Sensor/actions/reset',
    });
  });

  it('prefers mqv:topic and mqv:filter over the href path', () => {
    const r = importThingDescription(
      td({
        properties: {
          p: {
            type: 'string',
            forms: [
              { href: 'mqtt://b/ignored', op: 'writeproperty', 'mqv:topic': 'cmnd/x/POWER' },
              { href: 'mqtt://b', op: 'observeproperty', 'mqv:filter': 'stat/+/POWER' },
            ],
          },
        },
      }),
      catalog,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.implements.main!.properties!.p).toMatchObject({
      write: { kind: 'mqtt', topic: 'cmnd/x/POWER' },
      observe: [{ kind: 'mqtt', topic: 'stat/+/POWER' }],
    });
  });
});

describe('URI templates and relative hrefs', () => {
  it('turns uriVariables into device settings typed per their data schema', () => {
    const r = importThingDescription(
      td({
        base: 'http://192.168.1.20/api/',
        uriVariables: { id: { type: 'integer', minimum: 1, maximum: 8, description: 'Relay number' } },
        properties: {
          relay: { type: 'boolean', forms: [{ href: 'relays/{id}' }] },
          scene: {
            type: 'string',
            uriVariables: { room: { type: 'string', enum: ['hall', 'kitchen'] } },
            forms: [{ href: 'scene{?room}', op: 'readproperty' }],
          },
        },
      }),
      catalog,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.variables).toMatchObject({
      id: { type: 'integer', description: expect.stringContaining('Relay number') },
      room: { type: 'string', pattern: '^(hall|kitchen)$' },
    });
    expect(r.model.implements.main!.properties!.relay).toMatchObject({
      read: { kind: 'http', method: 'GET', url: 'http://192.168.1.20/api/relays/{id}' },
      write: { kind: 'http', method: 'PUT', url: 'http://192.168.1.20/api/relays/{id}' },
    });
    expect(r.model.implements.main!.properties!.scene!.read).toMatchObject({
      url: 'http://192.168.1.20/api/scene?room={room}',
    });
    const write = writeProperty({ model: r.model, variables: { id: 3 } }, 'main', 'relay', true);
    expect(write).toMatchObject({ kind: 'http', url: 'http://192.168.1.20/api/relays/3' });
  });

  it('resolves relative hrefs against the URL the TD came from, and names the fix when there is none', () => {
    const thing = td({
      properties: { t: { type: 'number', readOnly: true, forms: [{ href: 'properties/t' }] } },
    });
    const fetched = importThingDescription(thing, catalog, { base: 'http://127.0.0.1:8080/things/lamp/' });
    expect(fetched.ok && fetched.model.implements.main!.properties!.t!.read).toMatchObject({
      url: 'http://127.0.0.1:8080/things/lamp/properties/t',
    });
    const alone = importThingDescription(thing, catalog, 'lamp.td.json');
    expect(alone.ok && alone.report.skipped).toEqual([
      {
        affordance: 'properties/t',
        reason: expect.stringMatching(/relative and the TD has no base.*--base URL/),
      },
    ]);
  });
});

describe('HTTP events and observed properties', () => {
  it('binds long-poll and server-sent events, and names webhooks as skipped', () => {
    const r = importThingDescription(
      td({
        base: 'http://10.0.0.5:8080/',
        properties: {
          level: {
            type: 'number',
            observable: true,
            forms: [
              { href: 'level', op: 'observeproperty', subprotocol: 'longpoll' },
              { href: 'level', op: 'readproperty' },
            ],
          },
        },
        events: {
          motion: {
            data: { type: 'boolean' },
            forms: [{ href: 'events/motion', subprotocol: 'sse', contentType: 'text/event-stream' }],
          },
          ring: { forms: [{ href: 'events/ring' }] },
          alarm: { forms: [{ href: 'events/alarm', subprotocol: 'webhook' }] },
        },
      }),
      catalog,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.implements.main!.events).toEqual({
      motion: {
        subscribe: [{ kind: 'http', url: 'http://10.0.0.5:8080/events/motion', mode: 'sse', format: 'json' }],
      },
      ring: {
        subscribe: [
          { kind: 'http', url: 'http://10.0.0.5:8080/events/ring', mode: 'longpoll', format: 'json' },
        ],
      },
    });
    expect(r.model.implements.main!.properties!.level).toMatchObject({
      read: { kind: 'http', method: 'GET' },
      observe: [{ kind: 'http', mode: 'longpoll', url: 'http://10.0.0.5:8080/level' }],
    });
    expect(r.report.skipped).toEqual([
      { affordance: 'events/alarm', reason: expect.stringMatching(/webhook/) },
    ]);
    const compiled = compileDevice({ model: r.model, variables: {} });
    expect(compiled.httpSubscriptions.map((s) => `${s.name} ${s.mode}`)).toEqual([
      'level longpoll',
      'motion sse',
      'ring longpoll',
    ]);
    expect(compiled.decodeHttp(1, 'true')).toMatchObject([{ kind: 'event', name: 'motion', value: true }]);
  });
});

describe('Thing Models', () => {
  const files: Record<string, unknown> = {
    'base.tm.json': {
      '@context': 'https://www.w3.org/2022/wot/td/v1.1',
      '@type': 'tm:ThingModel',
      title: 'Base lamp',
      properties: {
        on: {
          type: 'boolean',
          forms: [{ href: 'mqtt://{{BROKER}}', 'mqv:topic': '{{PREFIX}}/on/set', op: 'writeproperty' }],
        },
        level: { type: 'integer', minimum: 0, maximum: 100 },
      },
    },
    'parts.tm.json': {
      properties: {
        colour: { type: 'string', title: 'Colour', forms: [{ href: 'http://{{HOST}}/colour' }] },
      },
    },
  };
  const load = (href: string) => (href in files ? { id: href, json: files[href] } : undefined);

  it('follows tm:extends and tm:ref within a folder; placeholders become settings', () => {
    const r = importThingDescription(
      {
        '@context': 'https://www.w3.org/2022/wot/td/v1.1',
        '@type': 'tm:ThingModel',
        title: 'Colour lamp',
        links: [{ rel: 'tm:extends', href: 'base.tm.json', type: 'application/tm+json' }],
        properties: {
          level: { description: 'Brightness in %' },
          colour: { 'tm:ref': 'parts.tm.json#/properties/colour' },
          temp: { 'tm:ref': '#/properties/level', title: 'Colour temperature' },
        },
      },
      catalog,
      { file: 'lamp.tm.json', load },
    );
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    const cap = r.capabilities[0]!;
    expect(Object.keys(cap.properties ?? {}).sort()).toEqual(['colour', 'level', 'on', 'temp']);
    expect(cap.properties!.level).toMatchObject({
      data: { type: 'integer', maximum: 100 },
      description: 'Brightness in %',
    });
    expect(cap.properties!.temp).toMatchObject({ title: 'Colour temperature', data: { type: 'integer' } });
    expect(Object.keys(r.model.variables ?? {}).sort()).toEqual(['BROKER', 'HOST', 'PREFIX']);
    expect([...r.report.imported].sort()).toEqual(['properties/colour', 'properties/on']);
    expect(r.report.skipped).toEqual([
      { affordance: 'properties/level', reason: expect.stringMatching(/no forms.*Thing Model/) },
      { affordance: 'properties/temp', reason: expect.stringMatching(/no forms/) },
    ]);
  });

  it('names a linked model it could not read, and still imports the rest', () => {
    const r = importThingDescription(
      {
        '@type': 'tm:ThingModel',
        title: 'Orphan',
        links: [{ rel: 'tm:extends', href: 'missing.tm.json' }],
        properties: { x: { type: 'string' } },
      },
      catalog,
      { file: 'orphan.tm.json', load },
    );
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /missing\.tm\.json it extends could not be read/,
    );
  });
});
