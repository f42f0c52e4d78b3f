import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { siteReadiness } from '../../../../../shared/core/model/readiness';
import type { Device, Role } from '../../../../../shared/core/model/schemas';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const devices: Device[] = [
  { id: 'relay', name: 'Relay', model: 'tasmota-relay', identity: {}, variables: { topic: 'r' } },
  { id: 'plug', name: 'Plug', model: 'shelly-plus-1pm', identity: {}, variables: { prefix: 'p' } },
  {
    id: 'sensor',
    name: 'Sensor',
    model: 'esphome-device',
    identity: {},
    variables: { prefix: 's', entities: 'motion,temperature' },
  },
];
const roles: Role[] = [
  { id: 'light', title: 'Hall light', capability: 'switch@1' },
  { id: 'motion', title: 'Hall motion', capability: 'motion@1' },
  { id: 'kitchen', title: 'Kitchen plug', capability: 'switch@1', alsoRequires: ['power-meter@1'] },
];

describe('site readiness', () => {
  it('is ready when every role is bound to a site device that fills it, with the resolver’s reasons', () => {
    const r = siteReadiness(
      roles,
      [
        { role: 'light', device: 'relay' },
        { role: 'motion', device: 'sensor' },
        { role: 'kitchen', device: 'plug' },
      ],
      devices,
      catalog,
    );
    expect(r.ready).toBe(true);
    expect(r.missing).toEqual([]);
    expect(r.roles.map((x) => (x.state === 'ready' ? x.candidate.reason : x.state))).toEqual([
      'implements switch@1',
      'implements motion@1',
      'implements switch@1',
    ]);
  });

  it('lists what is missing: unbound roles, devices the site lacks, devices that cannot fill their role', () => {
    const r = siteReadiness(
      roles,
      [
        { role: 'light', device: 'sensor' },
        { role: 'kitchen', device: 'gone' },
      ],
      devices,
      catalog,
    );
    expect(r.ready).toBe(false);
    expect(r.roles.map((x) => x.state)).toEqual(['unfit', 'unbound', 'unknown-device']);
    expect(r.missing).toEqual([
      '“Hall light” (switch@1) is bound to “Sensor”, which cannot fill it: ESPHome node offers switch@1 only for other configurations (see "when")',
      '“Hall motion” (motion@1) is not bound to a device',
      '“Kitchen plug” (switch@1) is bound to “gone”, which the site does not list; bind it again',
    ]);
    const plugOnRelay = siteReadiness([roles[2]!], [{ role: 'kitchen', device: 'relay' }], devices, catalog);
    expect(plugOnRelay.missing).toEqual([
      '“Kitchen plug” (switch@1) is bound to “Relay”, which cannot fill it: it does not also offer power-meter@1',
    ]);
  });

  // The Node-RED import notes that no built-in model implements these (convert-ha-entities.ts): a
  // role of one bound to a built-in device is a problem naming the capability, never a silent no-op.
  it('a role no built-in model implements (notifier, presence, on/off state, reading) is unfit, saying so', () => {
    const generic = ['notifier@1', 'presence@1', 'binary-state@1', 'reading@1', 'media-player@1'];
    for (const model of catalog.models.values())
      expect(Object.values(model.implements).map((i) => i.capability)).not.toEqual(
        expect.arrayContaining([expect.toBeOneOf(generic)]),
      );
    const r = siteReadiness(
      generic.map((capability, i) => ({ id: `r${i}`, capability })),
      generic.map((_, i) => ({ role: `r${i}`, device: 'relay' })),
      devices,
      catalog,
    );
    expect(r.ready).toBe(false);
    expect(r.roles.map((x) => x.state)).toEqual(generic.map(() => 'unfit'));
    expect(r.missing).toEqual(
      generic.map((c, i) =>
        expect.stringMatching(
          new RegExp(`^“r${i}” \\(${c}\\) is bound to “Relay”, which cannot fill it: .*${c}`),
        ),
      ),
    );
  });

  it('a device that lacks only a setting says which, with its description, and is ready once it is set', () => {
    const homie: Device = {
      id: 'lamp',
      name: 'Lamp',
      model: 'homie-device',
      identity: {},
      variables: { base: 'homie/lamp' },
    };
    const r = siteReadiness([roles[0]!], [{ role: 'light', device: 'lamp' }], [homie], catalog);
    expect(r.roles[0]).toMatchObject({
      state: 'unfit',
      needs: { implementation: 'switch', settings: [{ name: 'switch_path', title: 'Switch property' }] },
    });
    expect(r.missing).toEqual([
      '“Hall light” (switch@1) is bound to “Lamp”, which cannot fill it: Homie device (v4 / v5) needs the setting switch_path (Switch property: <node>/<property> of a settable boolean, e.g. light/power) to offer switch@1; set it on the device',
    ]);
    const set = { ...homie, variables: { base: 'homie/lamp', switch_path: 'light/power' } };
    expect(siteReadiness([roles[0]!], [{ role: 'light', device: 'lamp' }], [set], catalog).ready).toBe(true);
  });

  it('a design without roles is ready for any site', () => {
    expect(siteReadiness([], [], [], catalog)).toEqual({ ready: true, roles: [], missing: [] });
  });
});
