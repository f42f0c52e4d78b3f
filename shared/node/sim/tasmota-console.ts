import mqtt, { type MqttClient } from 'mqtt';
import {
  decodeRpcBody,
  decodeStrings,
  encodeImprovFrame,
  encodeImprovResult,
  ImprovCommand,
  ImprovError,
  ImprovState,
  ImprovStreamReader,
  ImprovType,
} from '../protocols/improv-frame';
import { openDeviceEnd } from './pty';

/** How a virtual Tasmota console behaves. */
export interface VirtualTasmotaOptions {
  /** Build image name, e.g. `tasmota` or `tasmota32`. */
  readonly image?: string;
  readonly version?: string;
  readonly hardware?: string;
  /** 12 hex digits; the default topic is `tasmota_<last 6>`. */
  readonly mac?: string;
  /** Initial SerialLog level; below 2 results are not printed (the reason clients send `SerialLog 2`). */
  readonly serialLog?: number;
  /** SSID → password pairs the device can join after restart. */
  readonly credentials?: Readonly<Record<string, string>>;
  /** How `RSL:` results look: `stat/<topic>/RESULT` (recent), `MQT:` prefix, or bare `RESULT`. */
  readonly resultStyle?: 'rsl-topic' | 'mqt' | 'rsl-bare';
  /** Milliseconds between Backlog commands (Tasmota: 200; tests: less). */
  readonly backlogDelayMs?: number;
  /** How long a restart takes. */
  readonly restartMs?: number;
  /**
   * Broker URL override for the MQTT connection after restart; by default the device connects
   * to `mqtt://<MqttHost>:<MqttPort>` as configured, which proves the values arrived.
   */
  readonly brokerUrl?: string;
  /** Never print anything. */
  readonly silent?: boolean;
  /**
   * Also answer Improv serial (Tasmota's `USE_IMPROV`): state, device info, and Wi-Fi settings,
   * which store SSID1/Password1, restart, and report provisioned with `http://<ip>:80`.
   */
  readonly improv?: boolean;
  readonly baudRate?: number;
}

/** A running virtual Tasmota console on the device end of a pty. */
export interface VirtualTasmotaConsole {
  /** Current settings (passwords included: this is the device). */
  readonly settings: Readonly<Record<string, string>>;
  /** How many times it restarted. */
  readonly restarts: number;
  /** True once it is connected to a broker after a restart. */
  readonly mqttConnected: boolean;
  close(): Promise<void>;
}

// Commands that store a setting and ask for a restart; inside Backlog, one restart for all.
const restartCommands = new Set([
  'SSID1',
  'PASSWORD1',
  'MQTTHOST',
  'MQTTPORT',
  'MQTTUSER',
  'MQTTPASSWORD',
  'TOPIC',
  'FULLTOPIC',
]);
// Canonical result keys as Tasmota spells them.
const resultKey: Record<string, string> = {
  SSID1: 'SSId1',
  PASSWORD1: 'Password1',
  MQTTHOST: 'MqttHost',
  MQTTPORT: 'MqttPort',
  MQTTUSER: 'MqttUser',
  MQTTPASSWORD: 'MqttPassword',
  TOPIC: 'Topic',
  FULLTOPIC: 'FullTopic',
  DEVICENAME: 'DeviceName',
  FRIENDLYNAME1: 'FriendlyName1',
  HOSTNAME: 'Hostname',
};
const secretKeys = new Set(['PASSWORD1', 'MQTTPASSWORD']);

/**
 * Starts a virtual Tasmota serial console on `devicePath`: Tasmota's log-line format,
 * `SerialLog`, `Status 0`, `Backlog` (one restart for the batch), restart with boot lines, and,
 * after a restart with matching Wi-Fi credentials, a real MQTT connection publishing
 * `tele/<topic>/LWT Online` (retained, with an `Offline` will).
 */
export const startVirtualTasmotaConsole = async (
  devicePath: string,
  options: VirtualTasmotaOptions = {},
): Promise<VirtualTasmotaConsole> => {
  const port = await openDeviceEnd(devicePath, options.baudRate);
  const mac = (options.mac ?? 'a4cf12b3c4d5').toLowerCase();
  const settings: Record<string, string> = {
    SSID1: '',
    PASSWORD1: '',
    MQTTHOST: '',
    MQTTPORT: '1883',
    MQTTUSER: 'DVES_USER',
    MQTTPASSWORD: '',
    TOPIC: `tasmota_${mac.slice(6).toUpperCase()}`,
    FULLTOPIC: '%prefix%/%topic%/',
    DEVICENAME: 'Tasmota',
    FRIENDLYNAME1: 'Tasmota',
    HOSTNAME: `tasmota-${mac.slice(6).toUpperCase()}`,
  };
  let serialLog = options.serialLog ?? 0;
  let restarts = 0;
  let booting = false;
  let joinedWifi = false;
  let closed = false;
  let client: MqttClient | undefined;
  const started = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const stamp = (): string => {
    const ms = Date.now() - started;
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    return `${pad(Math.floor(ms / 3_600_000) % 24)}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
  };
  // Level 2 (INFO) lines print only at SerialLog >= 2; level 1 (ERROR) lines always from 1.
  const print = (source: string, text: string, level = 2): void => {
    if (closed || options.silent || serialLog < level) return;
    port.write(`${stamp()} ${source}: ${text}\r\n`);
  };
  const topic = (): string => settings.TOPIC as string;
  const printResult = (json: Record<string, unknown>, key = 'RESULT', prefix = 'stat'): void => {
    const body = JSON.stringify(json);
    const style = options.resultStyle ?? 'rsl-topic';
    if (style === 'mqt') print('MQT', `${prefix}/${topic()}/${key} = ${body}`);
    else if (style === 'rsl-bare') print('RSL', `${key} = ${body}`);
    else print('RSL', `${prefix}/${topic()}/${key} = ${body}`);
  };

  const status0 = (): void => {
    printResult(
      {
        Status: {
          Module: 1,
          DeviceName: settings.DEVICENAME,
          FriendlyName: [settings.FRIENDLYNAME1],
          Topic: topic(),
          ButtonTopic: '0',
          Power: 0,
        },
      },
      'STATUS',
    );
    printResult(
      {
        StatusPRM: {
          Baudrate: 115200,
          GroupTopic: 'tasmotas',
          RestartReason: 'Software/System restart',
          BootCount: restarts + 1,
        },
      },
      'STATUS1',
    );
    printResult(
      {
        StatusFWR: {
          Version: options.version ?? '14.1.0(release-tasmota)',
          BuildDateTime: '2024-06-19T10:38:12',
          Boot: 31,
          Core: '2_7_7',
          Hardware: options.hardware ?? 'ESP8266EX',
          CR: '378/699',
        },
      },
      'STATUS2',
    );
    printResult(
      {
        StatusNET: {
          Hostname: settings.HOSTNAME,
          IPAddress: client ? '127.0.0.1' : '0.0.0.0',
          Mac: mac.toUpperCase().match(/../g)?.join(':'),
          Webserver: 2,
        },
      },
      'STATUS5',
    );
    printResult(
      {
        StatusMQT: {
          MqttHost: settings.MQTTHOST,
          MqttPort: Number(settings.MQTTPORT),
          MqttUser: settings.MQTTUSER,
          MqttCount: client ? 1 : 0,
        },
      },
      'STATUS6',
    );
  };

  // Runs one command; returns true when it asks for a restart.
  const run = (raw: string): boolean => {
    const line = raw.trim();
    if (!line) return false;
    const m = /^(\S+?)(?: (.*))?$/.exec(line);
    const command = (m?.[1] ?? '').toUpperCase();
    const param = m?.[2];
    if (command === 'SERIALLOG') {
      if (param !== undefined) serialLog = Math.max(0, Math.min(4, Number(param) || 0));
      printResult({ SerialLog: serialLog, SerialLogTemp: serialLog });
      return false;
    }
    if (command === 'STATUS' && param === '0') {
      status0();
      return false;
    }
    if (command === 'RESTART' && param === '1') {
      printResult({ Restart: 'Restarting' });
      return true;
    }
    const key = resultKey[command === 'PASSWORD' ? 'PASSWORD1' : command === 'SSID' ? 'SSID1' : command];
    if (!key) {
      printResult({ Command: 'Unknown' });
      return false;
    }
    const name = command === 'PASSWORD' ? 'PASSWORD1' : command === 'SSID' ? 'SSID1' : command;
    if (param === undefined) {
      printResult({ [key]: secretKeys.has(name) ? '****' : settings[name] });
      return false;
    }
    if (name === 'MQTTPORT') settings[name] = String(Number(param) || 1883);
    else settings[name] = param;
    const shown = secretKeys.has(name)
      ? '****'
      : name === 'MQTTPORT'
        ? Number(settings[name])
        : settings[name];
    printResult({ [key]: shown });
    return restartCommands.has(name);
  };

  const restart = async (): Promise<void> => {
    booting = true;
    restarts++;
    print('APP', 'Restarting');
    if (client) {
      const old = client;
      client = undefined;
      // A restart drops the TCP connection without DISCONNECT, so the broker publishes the will.
      old.stream?.destroy();
      old.end(true);
    }
    await sleep(options.restartMs ?? 300);
    if (closed) return;
    booting = false;
    // SerialLog keeps its stored level across restarts in this simulation.
    print('HDW', options.hardware ?? 'ESP8266EX');
    print('CFG', 'Loaded from flash at FB, Count 42');
    print('WIF', `Connecting to AP1 ${settings.SSID1} in mode 11n as ${settings.HOSTNAME}...`);
    await sleep(50);
    const accepted = options.credentials ?? { SiteNet: 'correct horse' };
    const ssid = settings.SSID1 as string;
    joinedWifi = Object.hasOwn(accepted, ssid) && accepted[ssid] === settings.PASSWORD1;
    if (!joinedWifi) {
      print('WIF', 'Connect failed with AP incorrect password', 1);
      return;
    }
    print('WIF', 'Connected');
    if (!settings.MQTTHOST) return;
    const url = options.brokerUrl ?? `mqtt://${settings.MQTTHOST}:${settings.MQTTPORT}`;
    print('MQT', `Attempting connection...`);
    const lwt = `tele/${topic()}/LWT`;
    const next = mqtt.connect(url, {
      clientId: `DVES_${mac.slice(6).toUpperCase()}`,
      ...(settings.MQTTUSER && settings.MQTTUSER !== 'DVES_USER' ? { username: settings.MQTTUSER } : {}),
      ...(settings.MQTTPASSWORD ? { password: settings.MQTTPASSWORD } : {}),
      will: { topic: lwt, payload: Buffer.from('Offline'), retain: true, qos: 1 },
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    client = next;
    next.on('error', () =>
      print('MQT', `Connect failed to ${settings.MQTTHOST}:${settings.MQTTPORT}, rc -2. Retry in 10 sec`, 1),
    );
    next.on('connect', () => {
      if (closed || client !== next) return;
      print('MQT', 'Connected');
      next.publish(lwt, 'Online', { retain: true, qos: 1 });
      print('MQT', `${lwt} = Online (retained)`);
    });
  };

  let queue: Promise<void> = Promise.resolve();
  const handleLine = async (line: string): Promise<void> => {
    if (booting || closed) return;
    const trimmed = line.trim();
    if (!trimmed) return;
    print('CMD', trimmed);
    const m = /^backlog(\d?)\s*(.*)$/i.exec(trimmed);
    if (!m) {
      if (run(trimmed)) await restart();
      return;
    }
    const delay = m[1] === '0' ? 0 : (options.backlogDelayMs ?? 20);
    let wantsRestart = false;
    for (const part of (m[2] ?? '').split(';')) {
      if (closed) return;
      if (run(part)) wantsRestart = true;
      if (delay) await sleep(delay);
    }
    if (wantsRestart) await restart();
  };

  // Frames and text share the line: the Improv reader separates them (text comes out as lines).
  const reader = new ImprovStreamReader();
  const improvSend = (frame: Uint8Array): void => {
    if (!closed && !options.silent) port.write(Buffer.from(frame));
  };
  const improvState = (): number => (client ? ImprovState.provisioned : ImprovState.ready);
  const improvUrl = (): string => 'http://127.0.0.1:80';
  const handleImprov = async (command: number, payload: Uint8Array): Promise<void> => {
    if (command === ImprovCommand.currentState) {
      improvSend(encodeImprovFrame(ImprovType.state, Uint8Array.of(improvState())));
      if (client) improvSend(encodeImprovResult(command, [improvUrl()]));
    } else if (command === ImprovCommand.deviceInfo) {
      improvSend(
        encodeImprovResult(command, [
          `Tasmota ${options.image ?? 'tasmota'}`,
          (options.version ?? '14.1.0(release-tasmota)').replace(/\(.*$/, ''),
          options.hardware ?? 'ESP8266EX',
          settings.DEVICENAME as string,
        ]),
      );
    } else if (command === ImprovCommand.wifiSettings) {
      const [ssid, password] = decodeStrings(payload) ?? [];
      if (ssid === undefined || password === undefined)
        return improvSend(encodeImprovFrame(ImprovType.error, Uint8Array.of(ImprovError.invalidRpc)));
      improvSend(encodeImprovFrame(ImprovType.state, Uint8Array.of(ImprovState.provisioning)));
      settings.SSID1 = ssid;
      settings.PASSWORD1 = password;
      // Tasmota stores the credentials and reboots; it reports the result after the restart.
      await restart();
      await sleep(100);
      if (client) {
        improvSend(encodeImprovFrame(ImprovType.state, Uint8Array.of(ImprovState.provisioned)));
        improvSend(encodeImprovResult(command, [improvUrl()]));
      } else if (settings.MQTTHOST === '' && joinedWifi) {
        improvSend(encodeImprovFrame(ImprovType.state, Uint8Array.of(ImprovState.provisioned)));
        improvSend(encodeImprovResult(command, [improvUrl()]));
      } else {
        improvSend(encodeImprovFrame(ImprovType.error, Uint8Array.of(ImprovError.unableToConnect)));
        improvSend(encodeImprovFrame(ImprovType.state, Uint8Array.of(ImprovState.ready)));
      }
    } else improvSend(encodeImprovFrame(ImprovType.error, Uint8Array.of(ImprovError.unknownCommand)));
  };
  port.on('data', (chunk: Buffer) => {
    for (const item of reader.push(new Uint8Array(chunk))) {
      if (item.kind === 'line') queue = queue.then(() => handleLine(item.text));
      else if (item.kind === 'frame' && options.improv && item.frame.type === ImprovType.rpc) {
        const body = decodeRpcBody(item.frame.data);
        if (body) queue = queue.then(() => handleImprov(body.command, body.payload));
      }
    }
  });
  print('APP', 'Tasmota console ready', 1);

  return {
    get settings() {
      return { ...settings };
    },
    get restarts() {
      return restarts;
    },
    get mqttConnected() {
      return client?.connected ?? false;
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      if (client) await client.endAsync(true).catch(() => {});
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
};
