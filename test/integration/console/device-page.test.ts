import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';
import { useCleanups } from '../../helpers/cleanups';
import { waitForValue } from '../../helpers/wait';

interface Live {
  deviceId: string;
  values: { implementation: string; kind: string; name: string; value: unknown }[];
  availability: { online: boolean | null }[];
}
interface Feature {
  key: string;
  capability: string;
  applies: boolean;
  properties: { name: string; writable: boolean }[];
  actions: { name: string }[];
}

const cleanups = useCleanups();

describe('the device page on the demo site', () => {
  it('reads the relay through its model, toggles it and sees its state come back; the sensor reports through its Home Assistant entities', async () => {
    const hub = createEventHub();
    const live: Live[] = [];
    hub.subscribe((event, payload) => event === 'onDeviceLive' && live.push(payload as Live));
    const dispatch = createDispatcher(
      createServices({ runtime: 'web', dataDir: cleanups.tempDir('fg-devpage-'), hub, log: silentLogger }),
      { checkResults: true },
    );
    const call = async (method: string, args: unknown = {}) => {
      const result = await dispatch(method, args, { transport: 'direct' });
      if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
      return result.value as Record<string, unknown>;
    };
    await call('demo.start');
    cleanups.push(() => call('demo.stop'));
    // The relay is fully understood once its native discovery config bound its relay entity.
    const relay = await waitForValue(async () => {
      const listed = (await call('discovery.list')) as {
        devices: {
          id: string;
          identity: { topic?: string };
          model: unknown;
          entities?: { status: string; binding?: { capability: string } }[];
        }[];
      };
      return listed.devices.find(
        (d) =>
          d.identity.topic === 'demo_relay' &&
          d.model &&
          d.entities?.some((e) => e.status === 'bound' && e.binding?.capability === 'switch@1'),
      );
    }, 'the demo relay with its relay entity');

    const page = await call('device.open', { deviceId: relay.id });
    cleanups.push(() => call('device.close', { deviceId: relay.id }));
    // The demo relay announces itself with Tasmota's native discovery: the generic Tasmota model
    // joined with the entities it announced (its relay is one of them).
    expect(page).toMatchObject({ modelFound: true, model: { id: 'tasmota-device' } });
    const features = page.features as Feature[];
    const sw = features.find((f) => f.capability === 'switch@1')!;
    expect(sw).toMatchObject({ applies: true, actions: [{ name: 'toggle' }] });
    expect(sw.properties).toContainEqual(expect.objectContaining({ name: 'on', writable: true }));
    expect(page.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+/);

    const state = (value: boolean) =>
      waitForValue(
        () =>
          live.some(
            (l) =>
              l.deviceId === relay.id &&
              l.values.some((v) => v.implementation === sw.key && v.name === 'on' && v.value === value),
          )
            ? true
            : undefined,
        `the relay to report on = ${value}`,
      );
    await call('device.write', { deviceId: relay.id, implementation: sw.key, property: 'on', value: true });
    await state(true);
    live.length = 0;
    await call('device.invoke', { deviceId: relay.id, implementation: sw.key, action: 'toggle' });
    await state(false);

    // A write the model cannot do is refused with the reason, and nothing is sent.
    const refused = await dispatch(
      'device.write',
      { deviceId: relay.id, implementation: sw.key, property: 'brightness', value: 3 },
      { transport: 'direct' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'device.control_failed' } });

    const sensor = await waitForValue(async () => {
      const listed = (await call('discovery.list')) as {
        devices: { id: string; name: string; model: unknown }[];
      };
      return listed.devices.find((d) => d.name === 'Demo sensor' && d.model);
    }, 'the demo sensor');
    await call('device.open', { deviceId: sensor.id });
    cleanups.push(() => call('device.close', { deviceId: sensor.id }));
    const temperature = await waitForValue(
      () =>
        live
          .filter((l) => l.deviceId === sensor.id)
          .flatMap((l) => l.values)
          .find((v) => v.name === 'temperature' && typeof v.value === 'number'),
      'a temperature from the sensor',
    );
    expect(temperature.value).toBeGreaterThan(10);
  });
});
