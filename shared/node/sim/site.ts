import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded';
import { createEngineRunner } from '../gateway/engine-runner';
import { attachInstaller } from '../gateway/install/attach';
import { startGateway, type Gateway } from '../gateway/runtime';
import type { Logger } from '../log';
import { appVersion } from '../paths';
import { startVirtualImprovDevice } from './improv-device';
import { openSimPty, type SimPty } from './pty';
import { startVirtualTasmotaConsole } from './tasmota-console';
import { startVirtualEsphome } from './virtual-esphome';
import { startVirtualHomie } from './virtual-homie';
import { startVirtualShelly } from './virtual-shelly';
import { startVirtualTasmotaRelay } from './virtual-tasmota';

/** Ids the demo site's devices use; resources/samples/demo-site refers to the same ones. */
export const DEMO_DEVICES = {
  tasmotaTopic: 'demo_relay',
  tasmotaMac: 'a4cf12b3c4d5',
  shellyId: 'shellyplus1pm-demo01',
  shellyMac: 'a8032ab1c2d3',
  esphomeName: 'demo-sensor',
  esphomeMac: 'b4e62d112233',
  homieId: 'demo-homie',
  gatewayId: 'demo-gateway',
} as const;

/**
 * The demo site's Wi-Fi: the network its sample project names (resources/samples/demo-site) and
 * the password its virtual devices accept. A demo value, not a secret: the UI shows it.
 */
export const DEMO_WIFI = { ssid: 'Fieldgraph-Demo', password: 'fieldgraph-demo' } as const;

/**
 * What the demo's Improv sensor hears when it scans, as a radio on a street would: the site's
 * network from two access points, a hidden network, and the neighbours'.
 */
export const DEMO_RADIO = [
  { ssid: DEMO_WIFI.ssid, rssi: -47, secured: true },
  { ssid: DEMO_WIFI.ssid, rssi: -71, secured: true },
  { ssid: '', rssi: -62, secured: true },
  { ssid: 'Bäckerei Müller Gast', rssi: -78, secured: false },
  { ssid: 'DIRECT-7E-HP OfficeJet 8010', rssi: -83, secured: true },
  { ssid: 'Vodafone-A1B2C3', rssi: -88, secured: true },
] as const;

/** Where the demo site runs. */
export interface DemoSiteOptions {
  /** An existing broker; otherwise an embedded one is started. */
  readonly brokerUrl?: string;
  /** Port for the embedded broker (0 = any free port). */
  readonly embeddedBrokerPort?: number;
  /** Address the embedded broker and the Shelly's HTTP server listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Create the serial side here: `<dir>/demo_relay` (Tasmota console) and `<dir>/demo-sensor` (Improv). */
  readonly serialDir?: string;
  /** Announce mDNS on this IPv4 interface; the demo never multicasts without it. */
  readonly mdnsInterface?: string;
  /** Seconds between Tasmota STATE reports (default 30: the demo should look alive). */
  readonly telePeriod?: number;
  /** Milliseconds between sensor reports (default 5000). */
  readonly reportMs?: number;
  /** Installer public keys (hex) the demo gateway trusts from the start; others can pair while the demo runs. */
  readonly trust?: readonly string[];
  readonly log: Logger;
}

/** A running demo site. */
export interface DemoSite {
  readonly brokerUrl: string;
  /** The id of the demo's gateway, which takes packages over MQTT and accepts pairing. */
  readonly gatewayId: string;
  /** `http://…` of the virtual Shelly. */
  readonly shellyUrl: string;
  /** Host ends of the serial ports, when a serial folder was given. */
  readonly serialPorts: string[];
  /** What runs, one line per device, for the CLI. */
  readonly devices: string[];
  stop(): Promise<void>;
}

/**
 * Starts the demo site: a Tasmota relay, a Shelly Plus 1PM, an ESPHome-like sensor, a Homie
 * light and a real Fieldgraph gateway, on one broker. Parts that fail to start are stopped
 * again before the error is thrown, so nothing is left running.
 */
export const startDemoSite = async (options: DemoSiteOptions): Promise<DemoSite> => {
  const stops: (() => Promise<void>)[] = [];
  const devices: string[] = [];
  const serialPorts: string[] = [];
  const host = options.host ?? '127.0.0.1';
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    let brokerUrl = options.brokerUrl;
    if (!brokerUrl) {
      const broker: EmbeddedBroker = await startEmbeddedBroker({
        port: options.embeddedBrokerPort ?? 0,
        host,
      });
      stops.push(() => broker.close());
      brokerUrl = broker.url;
    }
    const relay = await startVirtualTasmotaRelay({
      brokerUrl,
      topic: DEMO_DEVICES.tasmotaTopic,
      mac: DEMO_DEVICES.tasmotaMac,
      deviceName: 'Demo relay',
      telePeriod: options.telePeriod ?? 30,
    });
    stops.push(() => relay.stop());
    devices.push(`Tasmota relay        mqtt topic ${relay.topic}`);
    const shelly = await startVirtualShelly({
      id: DEMO_DEVICES.shellyId,
      mac: DEMO_DEVICES.shellyMac,
      host,
      brokerUrl,
      ...(options.mdnsInterface ? { mdnsInterface: options.mdnsInterface } : {}),
    });
    stops.push(() => shelly.stop());
    devices.push(`Shelly Plus 1PM      ${shelly.url} and mqtt prefix ${shelly.id}`);
    const sensor = await startVirtualEsphome({
      brokerUrl,
      name: DEMO_DEVICES.esphomeName,
      mac: DEMO_DEVICES.esphomeMac,
      ...(options.reportMs ? { reportMs: options.reportMs } : {}),
    });
    stops.push(() => sensor.stop());
    devices.push(`ESPHome sensor       mqtt prefix ${sensor.name}`);
    const homie = await startVirtualHomie({ brokerUrl, id: DEMO_DEVICES.homieId });
    stops.push(() => homie.stop());
    devices.push(`Homie light          homie/${homie.id}`);
    const dataDir = await mkdtemp(join(tmpdir(), 'fg-demo-gateway-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const gateway: Gateway = await startGateway(
      {
        id: DEMO_DEVICES.gatewayId,
        broker: { url: brokerUrl },
        dataDir,
        trust: options.trust ?? [],
        log: options.log.child('demo-gateway'),
        // The gateway's SRV record names its HTTP port, so an announced gateway serves HTTP.
        ...(options.mdnsInterface ? { mdnsInterface: options.mdnsInterface, http: { host, port: 0 } } : {}),
        createRunner: (set, io) => createEngineRunner(set, io, DEMO_DEVICES.gatewayId),
      },
      5000,
    );
    stops.push(() => gateway.stop());
    // A real gateway takes packages: the Deploy view previews, pairs and deploys to it like any other.
    // Pairing stays open while the demo runs: the demo broker is on loopback, and it is a demo.
    const installer = await attachInstaller(gateway, {
      engineVersion: appVersion,
      pairingUntil: Number.POSITIVE_INFINITY,
      log: options.log.child('demo-gateway:install'),
    });
    stops.push(async () => installer.close());
    devices.push(`Fieldgraph gateway   fieldgraph/v1/gw/${gateway.id} (installs packages; pairing open)`);
    if (options.serialDir) {
      const ptys: SimPty[] = [];
      const relayPty = await openSimPty(
        join(options.serialDir, 'demo_relay'),
        join(options.serialDir, '.demo_relay.device'),
      );
      ptys.push(relayPty);
      stops.push(() => relayPty.close());
      const tasmotaConsole = await startVirtualTasmotaConsole(relayPty.devicePath, {
        mac: DEMO_DEVICES.tasmotaMac,
        serialLog: 2,
        credentials: { [DEMO_WIFI.ssid]: DEMO_WIFI.password },
      });
      stops.push(() => tasmotaConsole.close());
      const sensorPty = await openSimPty(
        join(options.serialDir, 'demo-sensor'),
        join(options.serialDir, '.demo-sensor.device'),
      );
      stops.push(() => sensorPty.close());
      const improv = await startVirtualImprovDevice(sensorPty.devicePath, {
        deviceName: DEMO_DEVICES.esphomeName,
        firmware: 'ESPHome',
        networks: DEMO_RADIO,
        credentials: { [DEMO_WIFI.ssid]: DEMO_WIFI.password },
      });
      stops.push(() => improv.close());
      serialPorts.push(relayPty.hostPath, sensorPty.hostPath);
      devices.push(`Tasmota console      ${relayPty.hostPath}`, `Improv sensor        ${sensorPty.hostPath}`);
    }
    return {
      brokerUrl,
      gatewayId: DEMO_DEVICES.gatewayId,
      shellyUrl: shelly.url,
      serialPorts,
      devices,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
