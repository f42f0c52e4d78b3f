/**
 * The capabilities the Node-RED import gives Home Assistant notifications, trackers and sensors
 * of unknown kind (notifier@1, presence@1, binary-state@1, reading@1) have no built-in model:
 * a project's own model implements them. This checks one can — it validates against the
 * library, and the binding runtime sends a notification as JSON and reads each state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { invokeAction } from '../../../../../shared/core/model/binding';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { decodeMessage } from '../../../../../shared/core/model/observe';
import type { DeviceModel } from '../../../../../shared/core/model/schemas';
import { validateDeviceModel } from '../../../../../shared/core/model/validate-model';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
});

const observe = (topic: string) => [{ kind: 'mqtt' as const, topic }];

/** A project model a person might write for a home server bridging phones and trackers to MQTT. */
const bridge = {
  schemaVersion: 1,
  id: 'home-bridge',
  title: 'Home bridge',
  protocols: ['mqtt'],
  variables: { name: { title: 'Name' } },
  mappings: {
    onOff: {
      kind: 'enum',
      pairs: [
        { device: 'on', value: true },
        { device: 'off', value: false },
      ],
    },
  },
  implements: {
    phone: {
      capability: 'notifier@1',
      actions: { notify: { invoke: { kind: 'mqtt', topic: 'home/{name}/notify', payload: '{{value}}' } } },
    },
    where: { capability: 'presence@1', properties: { state: { observe: observe('home/{name}/where') } } },
    door: {
      capability: 'binary-state@1',
      properties: { active: { observe: observe('home/{name}/door'), map: ['onOff'] } },
    },
    level: { capability: 'reading@1', properties: { value: { observe: observe('home/{name}/level') } } },
  },
};

describe('generic capabilities in a project model', () => {
  it('validate against the library and drive the wire: a notification as JSON, each state read', () => {
    expect(validateDeviceModel(bridge, { catalog })).toEqual([]);
    const device = { model: bridge as unknown as DeviceModel, variables: { name: 'jo' } };
    const sent = invokeAction(device, 'phone', 'notify', {
      message: 'Door open',
      title: 'Home',
      target: ['jo'],
    });
    expect(sent).toMatchObject({ kind: 'mqtt', topic: 'home/jo/notify' });
    expect(JSON.parse(String((sent as { payload: unknown }).payload))).toEqual({
      message: 'Door open',
      title: 'Home',
      target: ['jo'],
    });
    const read = (topic: string, payload: string) =>
      decodeMessage(device, topic, payload).map((v) => [v.capability, v.name, v.value]);
    expect(read('home/jo/where', 'not_home')).toEqual([['presence@1', 'state', 'not_home']]);
    expect(read('home/jo/door', 'on')).toEqual([['binary-state@1', 'active', true]]);
    // A reading is the device's own value; without a mapping, its text as sent.
    expect(read('home/jo/level', '42.5')).toEqual([['reading@1', 'value', '42.5']]);
  });

  it('a model binding a member the notifier does not have is refused, naming it', () => {
    const bad = {
      ...bridge,
      implements: { phone: { capability: 'notifier@1', properties: { message: {} } } },
    };
    expect(
      validateDeviceModel(bad, { catalog })
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/message/);
  });
});
