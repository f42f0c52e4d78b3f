/**
 * A device commissioned in this app run is listed in its site and room once it shows up on the
 * site broker: the commissioning progress event (as the commission service emits it) places it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../shared/core/api/dispatch';
import { createEventHub } from '../../../shared/core/api/events';
import { silentLogger } from '../../../shared/node/log';
import { createServices } from '../../../shared/node/services';
import { placementOfCommissioned } from '../../../shared/node/services/discovery';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';

interface Listed {
  devices: { identity: { topic?: string }; site: string | null; room: string | null }[];
}

describe('commissioned devices in the registry', () => {
  let broker: Mosquitto;
  let dataDir: string;
  const hub = createEventHub();
  let dispatch: ReturnType<typeof createDispatcher>;
  const call = (method: string, args: unknown = {}) => dispatch(method, args, { transport: 'direct' });

  beforeAll(async () => {
    broker = await startMosquitto();
    dataDir = await mkdtemp(join(tmpdir(), 'fg-commissioned-'));
    dispatch = createDispatcher(createServices({ runtime: 'web', dataDir, hub, log: silentLogger }), {
      checkResults: true,
    });
  });
  afterAll(async () => {
    await call('discovery.stop');
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('places only provisioned devices with an identity', () => {
    const job = { status: 'provisioned', room: 'Porch', topic: 'porch_relay' };
    expect(placementOfCommissioned({ siteName: 'Main site', job })).toEqual({
      keys: ['topic:porch_relay'],
      site: 'Main site',
      room: 'Porch',
    });
    expect(placementOfCommissioned({ job: { ...job, status: 'failed' } })).toBeNull();
    expect(placementOfCommissioned({ job: { status: 'provisioned' } })).toBeNull();
  });

  it('lists a commissioned Tasmota in its site and room when it comes online on the broker', async () => {
    expect((await call('discovery.start', { mqttUrls: [broker.url], serial: false })).ok).toBe(true);
    hub.emit('onCommissionProgress', {
      runId: 'r1',
      runStatus: 'finished',
      siteName: 'Main site',
      job: {
        id: 'j1',
        target: { kind: 'serial', path: '/dev/ttyUSB0' },
        status: 'provisioned',
        room: 'Porch',
        topic: 'porch_relay',
        steps: [],
        attempts: 1,
        device: { firmware: 'Tasmota', topic: 'porch_relay' },
      },
    });
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await client.publishAsync('tele/porch_relay/LWT', 'Online', { retain: true });
    await client.endAsync();

    await expect
      .poll(
        async () => {
          const listed = await call('discovery.list');
          const devices = listed.ok ? (listed.value as Listed).devices : [];
          return devices.find((d) => d.identity.topic === 'porch_relay') ?? null;
        },
        { timeout: 10_000 },
      )
      .toMatchObject({ site: 'Main site', room: 'Porch' });
  });
});
