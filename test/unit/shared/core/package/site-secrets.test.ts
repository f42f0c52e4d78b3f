import { describe, expect, it } from 'vitest';
import { secretNames, siteSecretUses } from '../../../../../shared/core/package/site-secrets';

const device = (id: string, auth?: unknown) => ({
  id,
  name: id,
  model: 'shelly-plus-1pm',
  identity: {},
  ...(auth === undefined ? {} : { auth }),
});

describe('secret references of a site file', () => {
  it('lists the Wi-Fi, broker and device passwords and the HTTP token with the field that names each', () => {
    const site = {
      id: 'home',
      wifi: { ssid: 'Net', password: { secret: 'site/home/wifi' } },
      broker: { host: 'b', port: 1883, username: 'u', password: { secret: 'site/home/broker' } },
      http: { token: { secret: 'site/home/http' } },
      devices: [
        device('shelly1', { password: { secret: 'shelly/admin' } }),
        device('relay1'),
        device('shelly2', { username: 'admin', password: { secret: 'shelly/admin' } }),
      ],
    };
    expect(siteSecretUses(site)).toEqual([
      { secret: 'site/home/wifi', field: 'wifi.password' },
      { secret: 'site/home/broker', field: 'broker.password' },
      { secret: 'site/home/http', field: 'http.token' },
      { secret: 'shelly/admin', field: 'devices[shelly1].auth.password' },
      { secret: 'shelly/admin', field: 'devices[shelly2].auth.password' },
    ]);
    expect(secretNames(siteSecretUses(site))).toEqual([
      'shelly/admin',
      'site/home/broker',
      'site/home/http',
      'site/home/wifi',
    ]);
  });

  it('finds nothing in a site without references, and tolerates documents that are not sites', () => {
    expect(siteSecretUses({ id: 'home', devices: [device('relay1')], wifi: { ssid: 'Net' } })).toEqual([]);
    for (const odd of [null, 42, 'text', [], { devices: 'x' }, { devices: [null, 3, { auth: null }] }])
      expect(siteSecretUses(odd)).toEqual([]);
  });

  it('never reads a plain value as a reference (a value is a project problem, not a secret to seal)', () => {
    const site = {
      wifi: { ssid: 'Net', password: 'hunter2' },
      devices: [device('d', { password: 'plain' }), device('e', { password: { secret: '' } })],
    };
    expect(siteSecretUses(site)).toEqual([]);
  });

  it('names a device without an id by its position', () => {
    expect(siteSecretUses({ devices: [{ auth: { password: { secret: 'x' } } }] })).toEqual([
      { secret: 'x', field: 'devices[0].auth.password' },
    ]);
  });
});
