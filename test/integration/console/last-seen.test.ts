import { describe, expect, it } from 'vitest';
import { createDiscoverySession, loadMatchableModels } from '../../../shared/node/discovery/session';
import { silentLogger } from '../../../shared/node/log';
import { startVirtualEsphome } from '../../../shared/node/sim/virtual-esphome';
import { startVirtualTasmotaRelay } from '../../../shared/node/sim/virtual-tasmota';
import { useCleanups } from '../../helpers/cleanups';
import { startMosquitto } from '../../helpers/mosquitto';
import { waitForValue } from '../../helpers/wait';

const cleanups = useCleanups();

describe('last seen is live', () => {
  it('a Tasmota relay and an ESPHome sensor refresh their last seen with every report, not only their discovery messages', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const relay = await startVirtualTasmotaRelay({
      brokerUrl: broker.url,
      topic: 'hall_relay',
      telePeriod: 1,
    });
    cleanups.push(() => relay.stop());
    const sensor = await startVirtualEsphome({ brokerUrl: broker.url, name: 'hall-sensor', reportMs: 1000 });
    cleanups.push(() => sensor.stop());
    const session = createDiscoverySession({
      log: silentLogger,
      models: await loadMatchableModels(silentLogger),
    });
    cleanups.push(() => session.dispose());
    await session.start({ mqttUrls: [broker.url] });

    const find = (test: (d: ReturnType<typeof session.registry.list>[number]) => boolean) =>
      session.registry.list().find(test);
    const relayFound = await waitForValue(() => find((d) => d.identity.topic === 'hall_relay'), 'the relay');
    const sensorFound = await waitForValue(() => find((d) => d.name === 'Demo sensor'), 'the sensor');
    const firstRelay = relayFound.lastSeen;
    const firstSensor = sensorFound.lastSeen;
    // Neither device announces anything after connecting: only their STATE and sensor reports
    // (every second) can move last seen forward, and it must follow them.
    const later = await waitForValue(
      () => {
        const r = find((d) => d.id === relayFound.id);
        const s = find((d) => d.id === sensorFound.id);
        return r && s && r.lastSeen >= firstRelay + 2000 && s.lastSeen >= firstSensor + 2000
          ? { r, s }
          : undefined;
      },
      'last seen to move with the reports',
      8000,
    );
    expect(Date.now() - later.r.lastSeen).toBeLessThan(2500);
    expect(Date.now() - later.s.lastSeen).toBeLessThan(2500);
    expect(later.r.online).toBe(true);
  });
});
