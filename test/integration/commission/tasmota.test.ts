import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FieldgraphError } from '../../../shared/core/errors';
import type { CommissionProfile } from '../../../shared/node/commission/profile';
import { commissionSerialDevice } from '../../../shared/node/commission/serial-device';
import {
  backlogLine,
  commissionTasmotaSerial,
  tasmotaSettings,
} from '../../../shared/node/commission/tasmota';
import { isSerialPortInUse, openSerialLink } from '../../../shared/node/serial/port';
import { probeSerialPort } from '../../../shared/node/serial/probe';
import { startVirtualTasmotaConsole } from '../../../shared/node/sim/tasmota-console';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto';
import { createPtyPair } from '../../helpers/pty';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const profile = (over: Partial<CommissionProfile> = {}): CommissionProfile => ({
  wifi: { ssid: 'SiteNet', password: 'correct horse' },
  broker: { host: '127.0.0.1', port: broker.port },
  ...over,
});

const rig = async (options: Parameters<typeof startVirtualTasmotaConsole>[1] = {}) => {
  const pty = await createPtyPair();
  cleanup.push(() => pty.close());
  const device = await startVirtualTasmotaConsole(pty.devicePath, options);
  cleanup.push(() => device.close());
  return { pty, device };
};

const failure = async (p: Promise<unknown>): Promise<FieldgraphError> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof FieldgraphError) return error;
    throw error;
  }
  throw new Error('expected a failure, got success');
};

describe('Tasmota commissioning over a pty with a real broker', () => {
  it('sends SerialLog 2, Backlog with every setting, and waits for LWT Online on the broker', async () => {
    for (const resultStyle of ['rsl-topic', 'mqt', 'rsl-bare'] as const) {
      const { pty, device } = await rig({ resultStyle, serialLog: 0, mac: 'a4cf12b3c4d5' });
      const link = await openSerialLink(pty.hostPath);
      cleanup.push(() => link.close());
      const steps: string[] = [];
      const result = await commissionTasmotaSerial(
        link,
        profile(),
        { name: `Kitchen Relay ${resultStyle}`, room: 'kitchen' },
        {
          onStep: (s) => steps.push(s),
        },
      );
      expect(steps).toEqual(['serial-log', 'identify', 'broker', 'configure', 'restart', 'online']);
      const topic = `kitchen_relay_${resultStyle.replace('-', '_')}`;
      expect(result).toMatchObject({
        firmware: 'Tasmota',
        version: '14.1.0(release-tasmota)',
        chip: 'ESP8266EX',
        mac: 'a4cf12b3c4d5',
        topic,
      });
      expect(device.settings).toMatchObject({
        SSID1: 'SiteNet',
        PASSWORD1: 'correct horse',
        MQTTHOST: '127.0.0.1',
        MQTTPORT: String(broker.port),
        TOPIC: topic,
        FULLTOPIC: '%prefix%/%topic%/',
        DEVICENAME: `Kitchen Relay ${resultStyle}`,
        FRIENDLYNAME1: `Kitchen Relay ${resultStyle}`,
      });
      expect(device.restarts).toBe(1);
      // Independent check: the retained LWT really is on the broker.
      const observer = await mqtt.connectAsync(broker.url);
      const lwt = await new Promise<string>((resolve) => {
        observer.on('message', (_t, p) => resolve(p.toString()));
        void observer.subscribeAsync(`tele/${topic}/LWT`);
      });
      await observer.endAsync();
      expect(lwt).toBe('Online');
    }
  });

  it('does not take a stale retained Online as success', async () => {
    const stale = await mqtt.connectAsync(broker.url);
    await stale.publishAsync('tele/stale_relay/LWT', 'Online', { retain: true, qos: 1 });
    await stale.endAsync();
    // The device joins Wi-Fi but never reaches the broker: only the stale retained Online is there.
    const { pty } = await rig({ brokerUrl: 'mqtt://127.0.0.1:1' });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const error = await failure(
      commissionTasmotaSerial(
        link,
        profile(),
        { name: 'Stale Relay', topic: 'stale_relay' },
        { onlineTimeoutMs: 1500 },
      ),
    );
    expect(error.code).toBe('commission.broker_timeout');
  });

  it('reports a Wi-Fi password the device cannot join with as wifi_rejected', async () => {
    const { pty } = await rig({ credentials: { SiteNet: 'another password' } });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const error = await failure(
      commissionTasmotaSerial(link, profile(), { name: 'Wrong Pass' }, { onlineTimeoutMs: 3000 }),
    );
    expect(error.code).toBe('commission.wifi_rejected');
  });

  it('reports a broker that never sees the device as broker_timeout', async () => {
    const { pty } = await rig({ brokerUrl: 'mqtt://127.0.0.1:1' });
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const error = await failure(
      commissionTasmotaSerial(link, profile(), { name: 'Lost Relay' }, { onlineTimeoutMs: 1500 }),
    );
    expect(error.code).toBe('commission.broker_timeout');
    expect(error.message).toContain('tele/lost_relay/LWT');
  });

  it('refuses ";" and over-long passwords before sending anything', async () => {
    const { pty, device } = await rig();
    const link = await openSerialLink(pty.hostPath);
    cleanup.push(() => link.close());
    const semi = await failure(
      commissionTasmotaSerial(link, profile({ wifi: { ssid: 'SiteNet', password: 'a;b' } }), { name: 'X' }),
    );
    expect(semi.code).toBe('commission.invalid_value');
    expect(semi.message).toMatch(/";"/);
    expect(semi.message).not.toContain('a;b');
    const long = await failure(
      commissionTasmotaSerial(link, profile({ wifi: { ssid: 'SiteNet', password: 'p'.repeat(65) } }), {
        name: 'X',
      }),
    );
    expect(long.code).toBe('commission.invalid_value');
    expect(long.message).toMatch(/65 bytes.*64/);
    await new Promise((r) => setTimeout(r, 200));
    expect(device.settings.PASSWORD1).toBe('');
    expect(device.restarts).toBe(0);
  });

  it('names a silent console as no_answer and an unplugged one as disconnected; the port is released', async () => {
    const silent = await rig({ silent: true });
    const link = await openSerialLink(silent.pty.hostPath);
    const error = await failure(
      commissionTasmotaSerial(link, profile(), { name: 'X' }, { answerTimeoutMs: 500 }),
    );
    expect(error.code).toBe('commission.no_answer');
    expect(error.message).toContain('115200 baud');
    await link.close();
    expect(isSerialPortInUse(silent.pty.hostPath)).toBe(false);

    const { pty } = await rig({ restartMs: 5000 });
    const link2 = await openSerialLink(pty.hostPath);
    const pending = failure(commissionTasmotaSerial(link2, profile(), { name: 'Unplug Relay' }));
    await new Promise((r) => setTimeout(r, 800));
    await pty.close();
    expect((await pending).code).toBe('serial.disconnected');
    await link2.close();
  });

  it('probe recognises the Tasmota console from Status 0', async () => {
    const { pty } = await rig({ serialLog: 0 });
    const probe = await probeSerialPort(pty.hostPath, { improvAttempts: 1, improvIntervalMs: 300 });
    expect(probe).toMatchObject({
      kind: 'tasmota',
      status: { version: '14.1.0(release-tasmota)', mac: 'A4:CF:12:B3:C4:D5' },
    });
  });
});

describe('tasmotaSettings', () => {
  it('builds one Backlog with every command the issue lists', () => {
    const line = backlogLine(
      tasmotaSettings(
        {
          wifi: { ssid: 'HomeNet', password: 's3cret' },
          broker: { host: '192.168.1.10', port: 1883, username: 'inst', password: 'pw123' },
        },
        { name: 'Kitchen Relay' },
      ),
    );
    expect(line).toBe(
      'Backlog SSID1 HomeNet; Password1 s3cret; MqttHost 192.168.1.10; MqttPort 1883; MqttUser inst; MqttPassword pw123; Topic kitchen_relay; FullTopic %prefix%/%topic%/; DeviceName Kitchen Relay; FriendlyName1 Kitchen Relay',
    );
  });
});

describe('Tasmota that also speaks Improv (USE_IMPROV)', () => {
  it('with a broker, auto mode detects it over Improv and configures it through its console', async () => {
    const { pty, device } = await rig({ improv: true });
    const steps: string[] = [];
    const result = await commissionSerialDevice(
      pty.hostPath,
      profile(),
      { name: 'Both Ways' },
      {
        improvAttempts: 2,
        improvIntervalMs: 300,
        onStep: (s, d) => steps.push(`${s}${d ? `: ${d}` : ''}`),
      },
    );
    expect(steps.some((s) => /^detect: Tasmota tasmota 14\.1\.0: using its console/.test(s))).toBe(true);
    expect(result).toMatchObject({ firmware: 'Tasmota', topic: 'both_ways' });
    expect(device.settings).toMatchObject({ MQTTHOST: '127.0.0.1', TOPIC: 'both_ways', SSID1: 'SiteNet' });
  });

  it('without a broker, Improv alone provisions its Wi-Fi (Tasmota restarts, then reports the URL)', async () => {
    const { pty, device } = await rig({ improv: true });
    const result = await commissionSerialDevice(
      pty.hostPath,
      { wifi: { ssid: 'SiteNet', password: 'correct horse' } },
      {},
      {
        improvAttempts: 2,
        improvIntervalMs: 300,
      },
    );
    expect(result).toMatchObject({ firmware: 'Tasmota tasmota', url: 'http://127.0.0.1:80' });
    expect(device.settings.SSID1).toBe('SiteNet');
    expect(device.restarts).toBe(1);
  });
});
