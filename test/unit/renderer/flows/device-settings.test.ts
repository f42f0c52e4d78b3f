import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../shared/core/model/catalog';
import type { DeviceModel } from '../../../../shared/core/model/schemas';
import { loadLibrary } from '../../../../shared/node/library/load';
import { applyChanges, invert } from '../../../../renderer/src/canvas/changes';
import { replaceDevice } from '../../../../renderer/src/canvas/commands';
import type { Design, SiteDevice } from '../../../../renderer/src/canvas/types';
import {
  checkSetting,
  loginOf,
  passwordRef,
  settingRows,
  withAuth,
  withSetting,
} from '../../../../renderer/src/flows/device-settings';

let catalog: Catalog;
let homie: DeviceModel;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
  homie = catalog.models.get('homie-device')!;
});

const light: SiteDevice = {
  id: 'demo-homie-light',
  name: 'Demo Homie light',
  model: 'homie-device',
  identity: { topic: 'demo-homie' },
  variables: { base: 'homie/demo-homie' },
};

describe('a device’s settings as the form shows them', () => {
  it('lists the model’s variables with the device’s values, and which capabilities wait for unset ones', () => {
    const rows = settingRows(light, homie);
    expect(rows.map((r) => r.name)).toEqual([
      'base',
      'switch_path',
      'dimmer_path',
      'temperature_path',
      'humidity_path',
    ]);
    expect(rows[0]).toMatchObject({ title: 'Device base topic', value: 'homie/demo-homie', neededFor: [] });
    expect(rows[1]).toMatchObject({
      title: 'Switch property',
      description: '<node>/<property> of a settable boolean, e.g. light/power.',
      value: '',
      neededFor: ['dimmer@1', 'switch@1'],
    });
    // The dimmer waits for its own property too; no implementation reads a setting twice.
    expect(rows[2]!.neededFor).toEqual(['dimmer@1']);
    const set = settingRows(withSetting(light, 'switch_path', 'light/power'), homie);
    expect(set[1]).toMatchObject({ value: 'light/power', neededFor: [] });
    expect(set[2]!.neededFor).toEqual(['dimmer@1']);
  });

  it('does not ask for a setting whose capabilities the device’s own entities already offer', () => {
    // An entity is bound at its own topics: no `when`, whatever the device's settings.
    const { when: _settings, ...switchEntity } = homie.implements.switch!;
    const found: SiteDevice = { ...light, entities: { 'light-power': switchEntity } };
    const rows = settingRows(found, homie);
    // Its entity is the switch; the model's dimmer still waits for both of its properties.
    expect(rows[1]).toMatchObject({ name: 'switch_path', neededFor: ['dimmer@1'] });
    expect(rows[2]).toMatchObject({ name: 'dimmer_path', neededFor: ['dimmer@1'] });
  });

  it('checks values against the model’s pattern and type, with a message that says what fits', () => {
    const base = settingRows(light, homie)[0]!;
    expect(checkSetting(base, ' homie/lamp ')).toEqual({ ok: true, value: 'homie/lamp' });
    expect(checkSetting(base, 'homie/#')).toEqual({
      ok: false,
      message:
        'Device base topic (base) must match ^[^#+]+$; “homie/#” does not. Fix the value (the description says what it holds).',
    });
    expect(checkSetting(base, '')).toEqual({ ok: true, value: undefined });
    const count = { name: 'channel', title: 'channel', type: 'integer' as const };
    expect(checkSetting(count, '2')).toEqual({ ok: true, value: 2 });
    expect(checkSetting(count, 'two')).toEqual({
      ok: false,
      message: 'channel takes a whole number; “two” is not one.',
    });
  });

  it('a cleared setting leaves the device; the last one takes the variables object with it', () => {
    expect(withSetting(light, 'base', undefined)).toEqual({
      id: light.id,
      name: light.name,
      model: light.model,
      identity: light.identity,
    });
    expect(withSetting(light, 'switch_path', 'light/power').variables).toEqual({
      base: 'homie/demo-homie',
      switch_path: 'light/power',
    });
  });
});

describe('a device’s login', () => {
  it('keeps the username and the password’s reference, never a value', () => {
    const ref = passwordRef('site-1', 'shelly');
    expect(ref).toBe('device/site-1/shelly/password');
    expect(loginOf(' admin ', ref)).toEqual({ username: 'admin', password: { secret: ref } });
    expect(loginOf('', ref)).toEqual({ password: { secret: ref } });
    const withLogin = withAuth(light, loginOf('admin', ref));
    expect(withLogin.auth).toEqual({ username: 'admin', password: { secret: ref } });
    expect(withAuth(withLogin, undefined)).toEqual(light);
  });
});

describe('editing a site device as an undoable change', () => {
  const design: Design = { flows: [], roles: [], devices: [light] };

  it('replaces the device in one change that undo reverses; an unchanged device is no change', () => {
    const changes = replaceDevice(design, withSetting(light, 'switch_path', 'light/power'));
    expect(changes).toHaveLength(1);
    const after = applyChanges(design, changes);
    expect(after.devices![0]!.variables).toEqual({ base: 'homie/demo-homie', switch_path: 'light/power' });
    expect(applyChanges(after, invert(changes))).toEqual(design);
    expect(replaceDevice(design, { ...light })).toEqual([]);
    expect(replaceDevice(design, { ...light, id: 'elsewhere' })).toEqual([]);
  });
});
