/** Shelly commissioning against the discovery area's virtual Shelly Plus 1PM (shared/node/sim). */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../shared/core/errors';
import { commissionShelly } from '../../../shared/node/commission/shelly';
import { startVirtualShelly } from '../../../shared/node/sim/virtual-shelly';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

describe('Shelly commissioning against the virtual Shelly Plus 1PM', () => {
  it('configures name, MQTT and Wi-Fi with digest auth, reboots it, and sees <prefix>/online true', async () => {
    const shelly = await startVirtualShelly({
      id: 'shellyplus1pm-c0ffee000001',
      password: 'devpass',
      brokerUrlOverride: broker.url,
    });
    try {
      const steps: string[] = [];
      const result = await commissionShelly(
        shelly.url,
        {
          wifi: { ssid: 'SiteNet', password: 'correct horse' },
          broker: { host: '127.0.0.1', port: broker.port },
        },
        { name: 'Hall light', topic: 'site/hall-light' },
        { password: 'devpass', onlineTimeoutMs: 10_000, onStep: (s) => steps.push(s) },
      );
      expect(steps).toEqual(['identify', 'name', 'mqtt', 'wifi', 'reboot', 'online']);
      expect(result).toMatchObject({
        firmware: 'Shelly',
        name: 'Hall light',
        topic: 'site/hall-light',
        mac: 'a8032ab1c2d3',
      });
      expect(shelly.state.name).toBe('Hall light');
      expect(shelly.state.mqtt).toMatchObject({
        enable: true,
        server: `127.0.0.1:${broker.port}`,
        topic_prefix: 'site/hall-light',
      });
      expect(shelly.state.wifi.sta).toMatchObject({ ssid: 'SiteNet', pass: 'correct horse', enable: true });
      expect(shelly.reboots).toBeGreaterThanOrEqual(1);
      const observer = await mqtt.connectAsync(broker.url);
      const online = await new Promise<string>((resolve) => {
        observer.on('message', (_t, p) => resolve(p.toString()));
        void observer.subscribeAsync('site/hall-light/online');
      });
      await observer.endAsync();
      expect(online).toBe('true');
    } finally {
      await shelly.stop();
    }
  });

  it('names a wrong device password and changes nothing', async () => {
    const shelly = await startVirtualShelly({ password: 'devpass', brokerUrlOverride: broker.url });
    try {
      const error = await commissionShelly(
        shelly.url,
        { wifi: { ssid: 'SiteNet', password: 'correct horse' } },
        { name: 'X' },
        { password: 'wrong' },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FieldgraphError);
      expect((error as FieldgraphError).code).toBe('commission.auth_failed');
      expect(shelly.state.wifi.sta.ssid).not.toBe('SiteNet');
    } finally {
      await shelly.stop();
    }
  });
});
