import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, flattenCapability, type Catalog } from '../../../../../shared/core/model/catalog';
import { formatProblem } from '../../../../../shared/core/model/problems';
import type { Capability, DeviceModel, Role, Site } from '../../../../../shared/core/model/schemas';
import {
  validateCapability,
  validateCapabilitySet,
  validateDeviceModel,
  validateDeviceModelSet,
  validateProjectFile,
  validateSite,
} from '../../../../../shared/core/model/validate';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
let library: { capabilities: readonly Capability[]; models: readonly DeviceModel[] };
beforeAll(async () => {
  library = await loadLibrary();
  catalog = createCatalog(library.capabilities, library.models);
});
const clone = <T>(v: T): T => structuredClone(v);
const shellyModel = () => clone(library.models.find((m) => m.id === 'shelly-plus-1pm')!) as DeviceModel;

describe('device model validation', () => {
  it('says where a placeholder has no variable, in the words of the issue', () => {
    const model = shellyModel();
    delete model.variables!.prefix;
    model.implements.switch!.properties!.on!.write = {
      kind: 'mqtt',
      topic: '{prefix}/command/switch:0',
      payload: 'on',
    };
    const lines = validateDeviceModel(model, { file: 'models/shelly-plus-1pm.json', catalog }).map(
      formatProblem,
    );
    expect(lines).toContain(
      'models/shelly-plus-1pm.json: implements.switch.properties.on.write.topic: uses {prefix} but the model defines no prefix. Add "prefix" to "variables", or fix the placeholder.',
    );
  });

  it('rejects unknown capability ids and affordances the capability lacks', () => {
    const model = shellyModel();
    model.implements.switch!.capability = 'swtich@1';
    model.implements.power!.properties!.wattage = model.implements.power!.properties!.power!;
    const problems = validateDeviceModel(model, { file: 'm.json', catalog });
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: 'capability.unknown',
        path: 'implements.switch.capability',
        severity: 'error',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: 'model.unknown_affordance',
        path: 'implements.power.properties.wattage',
      }),
    );
  });

  it('rejects a write binding for a read-only property and an undefined mapping name', () => {
    const model = shellyModel();
    model.implements.power!.properties!.power!.write = { kind: 'mqtt', topic: '{prefix}/x' };
    model.implements.switch!.properties!.on!.map = ['onOf'];
    const codes = validateDeviceModel(model, { catalog }).map((p) => `${p.code} ${p.path}`);
    expect(codes).toContain('model.not_writable implements.power.properties.power.write');
    expect(codes).toContain('model.unknown_mapping implements.switch.properties.on.map');
  });

  it('points schema errors at the field inside a tagged union, not at the union', () => {
    const model = shellyModel();
    const on = model.implements.switch!.properties!.on! as Record<string, unknown>;
    on.write = { kind: 'mqtt', payload: 'on' };
    (on.observe as Record<string, unknown>[])[0]!.formt = 'json';
    (model.discovery![0] as Record<string, unknown>).service = 'shelly';
    const problems = validateDeviceModel(model, { file: 'm.json' });
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: 'implements.switch.properties.on.write.topic',
        message: '"topic" is missing',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: 'implements.switch.properties.on.observe.0.formt',
        message: '"formt" is not a known field here',
      }),
    );
    expect(problems.find((p) => p.path === 'discovery.0.service')?.hint).toMatch(/_\[A-Za-z0-9-\]/);
  });

  it('reports mapping gaps against the capability type', () => {
    const model = clone(library.models.find((m) => m.id === 'tasmota-relay')!) as DeviceModel;
    model.mappings!.onOff = { kind: 'enum', pairs: [{ device: 'ON', value: true }] };
    expect(validateDeviceModel(model, { file: 'models/t.json', catalog })).toContainEqual(
      expect.objectContaining({ code: 'mapping.gap', path: 'mappings.onOff.pairs' }),
    );
  });

  it('survives values of the wrong type anywhere without throwing', () => {
    for (const bad of [null, 42, 'x', [], { id: 7 }, { id: 'a', implements: 'x' }]) {
      expect(validateDeviceModel(bad, { catalog }).length).toBeGreaterThan(0);
      expect(validateCapability(bad, { catalog }).length).toBeGreaterThan(0);
    }
  });
});

describe('capability validation', () => {
  const cap = (id: string, parents: string[] = []): Capability => ({ id, title: id, extends: parents });

  it('finds cycles in inheritance and unknown parents', () => {
    const a = cap('a@1', ['b@1']);
    const b = cap('b@1', ['a@1']);
    const cat = createCatalog([...library.capabilities, a, b], []);
    expect(validateCapability(a, { catalog: cat, file: 'a.json' })).toContainEqual(
      expect.objectContaining({
        code: 'capability.cycle',
        message: expect.stringContaining('a@1 → b@1 → a@1'),
      }),
    );
    expect(flattenCapability('a@1', cat)).toMatchObject({ ok: false, failure: { kind: 'cycle' } });
    expect(validateCapability(cap('c@1', ['nope@1']), { catalog: cat })).toContainEqual(
      expect.objectContaining({ code: 'capability.unknown', path: 'extends.0' }),
    );
    expect(validateCapability({ id: 'Switch', title: 'x' }).map((p) => p.path)).toEqual(['id']);
  });

  it('reports duplicate ids across files', () => {
    const problems = validateCapabilitySet(
      [
        { file: 'x.json', value: cap('dup@1') },
        { file: 'y.json', value: cap('dup@1') },
      ],
      createCatalog([cap('dup@1')], []),
    );
    expect(problems).toEqual([expect.objectContaining({ code: 'capability.duplicate', file: 'y.json' })]);
    const models = validateDeviceModelSet(
      [
        { file: 'models/a.json', value: shellyModel() },
        { file: 'models/b.json', value: shellyModel() },
      ],
      catalog,
    );
    expect(models.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({
        code: 'model.duplicate',
        file: 'models/b.json',
        message: expect.stringContaining('models/a.json'),
      }),
    ]);
  });

  it('flattens inheritance: a colour light has on, brightness and colour', () => {
    const flat = flattenCapability('color-light@1', catalog);
    expect(flat.ok && Object.keys(flat.capability.properties).sort()).toEqual([
      'brightness',
      'color',
      'colorTemperature',
      'on',
    ]);
    expect(flat.ok && flat.capability.lineage).toEqual(['color-light@1', 'dimmer@1', 'switch@1']);
  });
});

describe('project and site validation', () => {
  const roles: Role[] = [
    { id: 'hall-light', capability: 'switch@1' },
    { id: 'hall-temp', capability: 'temperature@1' },
  ];
  const site = (): Site => ({
    id: 'demo',
    name: 'Demo',
    wifi: { ssid: 'HomeNet', password: { secret: 'sites/demo/wifi' } },
    rooms: [{ id: 'hall', name: 'Hall' }],
    devices: [
      {
        id: 'relay1',
        name: 'Hall relay',
        model: 'tasmota-relay',
        identity: { topic: 'hall_relay' },
        variables: { topic: 'hall_relay' },
        room: 'hall',
      },
      {
        id: 'temp1',
        name: 'Hall sensor',
        model: 'ha-sensor',
        identity: {},
        variables: { state_topic: 's', device_class: 'humidity' },
      },
    ],
    bindings: [{ role: 'hall-light', device: 'relay1' }],
    gateways: [],
  });

  it('accepts a consistent site', () => {
    expect(validateSite(site(), { catalog, roles, file: 'sites/demo.json' })).toEqual([]);
  });

  it('finds unknown rooms, models, devices, roles, and devices that cannot fill their role', () => {
    const s = site();
    s.devices[0]!.room = 'kitchen';
    s.devices.push({ id: 'x', name: 'X', model: 'no-such-model', identity: {} });
    s.bindings.push(
      { role: 'hall-temp', device: 'temp1' },
      { role: 'ghost', device: 'relay1' },
      { role: 'hall-light', device: 'nobody' },
    );
    const codes = validateSite(s, { catalog, roles, file: 'sites/demo.json' }).map(
      (p) => `${p.code} ${p.path}`,
    );
    expect(codes).toEqual([
      'site.unknown_room devices.0.room',
      'site.unknown_model devices.2.model',
      'site.role_mismatch bindings.1',
      'site.unknown_role bindings.2.role',
      'site.unknown_device bindings.3.device',
    ]);
  });

  it('warns when a device lacks a variable its model needs and rejects ones of the wrong form', () => {
    const s = site();
    s.devices[0]!.variables = {};
    expect(validateSite(s, { catalog })).toContainEqual(
      expect.objectContaining({
        code: 'site.missing_variable',
        severity: 'warning',
        path: 'devices.0.variables',
      }),
    );
    s.devices[0]!.variables = { topic: 'has space' };
    expect(validateSite(s, { catalog })).toContainEqual(
      expect.objectContaining({ path: 'devices.0.variables.topic' }),
    );
  });

  it('refuses a secret value where a secret reference belongs', () => {
    const s = site();
    (s.wifi as Record<string, unknown>).password = 's3cret';
    expect(validateSite(s).map((p) => p.path)).toContain('wifi.password');
  });

  it('checks the project file: role capabilities and duplicate roles', () => {
    const project = {
      schemaVersion: 1,
      id: 'p',
      name: 'P',
      roles: [...roles, { id: 'hall-light', capability: 'teleporter@1' }],
    };
    const codes = validateProjectFile(project, { catalog }).map((p) => `${p.code} ${p.path}`);
    expect(codes).toEqual([
      'project.unknown_capability roles.2.capability',
      'project.duplicate_role roles.2.id',
    ]);
  });
});
