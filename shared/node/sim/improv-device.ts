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

/** How a virtual Improv device behaves; every field has a sensible default. */
export interface VirtualImprovOptions {
  readonly firmware?: string;
  readonly version?: string;
  readonly chip?: string;
  readonly deviceName?: string;
  readonly osName?: string;
  readonly osVersion?: string;
  /**
   * What the radio hears, as a real scan does: hidden networks (empty SSID) and the same SSID
   * from several access points included. The answer follows ESPHome's Improv serial component:
   * hidden networks left out, each SSID once (its strongest access point), strongest first.
   */
  readonly networks?: readonly { ssid: string; rssi: number; secured: boolean }[];
  /** SSID → password pairs the device can join; any other pair fails with error 0x03. */
  readonly credentials?: Readonly<Record<string, string>>;
  /** Redirect URL after provisioning; `{name}` is replaced by the device name. */
  readonly url?: string;
  /** Answer hostname/device-name RPCs (0x05/0x06) like recent firmware; else error 0x02. */
  readonly supportsNames?: boolean;
  /** Print a log line this often, interleaved with frames (0 = never). */
  readonly logIntervalMs?: number;
  /** Time "joining Wi-Fi" takes. */
  readonly connectDelayMs?: number;
  /** Never answer anything (a board in flashing mode). */
  readonly silent?: boolean;
  /** Send every frame with a wrong checksum. */
  readonly corruptChecksums?: boolean;
  /** Send only the first half of every frame. */
  readonly truncateFrames?: boolean;
  readonly baudRate?: number;
}

/** A running virtual device on the device end of a pty. */
export interface VirtualImprovDevice {
  /** Current Improv state byte. */
  readonly state: number;
  /** The SSID it joined, once provisioned (the password is never kept). */
  readonly joinedSsid: string | undefined;
  readonly deviceName: string;
  readonly hostname: string;
  /** Frames it received that failed the checksum. */
  readonly invalidFramesReceived: number;
  close(): Promise<void>;
}

/** A scan as ESPHome answers it: no hidden networks, each SSID once at its best, strongest first. */
const heard = (
  radio: readonly { ssid: string; rssi: number; secured: boolean }[],
): { ssid: string; rssi: number; secured: boolean }[] => {
  const best = new Map<string, { ssid: string; rssi: number; secured: boolean }>();
  for (const n of radio) {
    if (n.ssid === '') continue;
    const seen = best.get(n.ssid);
    if (!seen || n.rssi > seen.rssi) best.set(n.ssid, n);
  }
  return [...best.values()].sort((a, b) => b.rssi - a.rssi);
};

/**
 * Starts a virtual Improv serial device (ESPHome-like by default) on `devicePath`: answers
 * state, device info, scan, Wi-Fi settings (provisioning → provisioned + URL, or error 0x03
 * and back to ready), optional hostname/device name, and prints log lines between frames.
 */
export const startVirtualImprovDevice = async (
  devicePath: string,
  options: VirtualImprovOptions = {},
): Promise<VirtualImprovDevice> => {
  const port = await openDeviceEnd(devicePath, options.baudRate);
  const reader = new ImprovStreamReader();
  let state: number = ImprovState.ready;
  let joinedSsid: string | undefined;
  let deviceName = options.deviceName ?? 'esp-virtual';
  let hostname = deviceName;
  let invalidFramesReceived = 0;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };
  const url = (): string => (options.url ?? 'http://192.168.1.50').replace('{name}', deviceName);

  const send = (frame: Uint8Array): void => {
    if (closed || options.silent) return;
    let out = frame;
    if (options.corruptChecksums) {
      out = frame.slice();
      out[out.length - 2] = ((out[out.length - 2] as number) + 1) & 0xff;
    }
    if (options.truncateFrames) out = frame.slice(0, Math.ceil(frame.length / 2));
    port.write(Buffer.from(out));
  };
  const log = (text: string): void => {
    if (!closed && !options.silent) port.write(`[I][app:102]: ${text}\r\n`);
  };
  const sendState = (s: number): void => {
    state = s;
    send(encodeImprovFrame(ImprovType.state, Uint8Array.of(s)));
  };
  const sendError = (e: number): void => send(encodeImprovFrame(ImprovType.error, Uint8Array.of(e)));

  const handleRpc = (command: number, payload: Uint8Array): void => {
    switch (command) {
      case ImprovCommand.currentState:
        sendState(state);
        if (state === ImprovState.provisioned) send(encodeImprovResult(ImprovCommand.currentState, [url()]));
        return;
      case ImprovCommand.deviceInfo:
        send(
          encodeImprovResult(ImprovCommand.deviceInfo, [
            options.firmware ?? 'ESPHome',
            options.version ?? '2025.6.2',
            options.chip ?? 'ESP32-C3',
            deviceName,
            ...(options.osName ? [options.osName, options.osVersion ?? ''] : []),
          ]),
        );
        return;
      case ImprovCommand.scan:
        for (const n of heard(options.networks ?? [{ ssid: 'SiteNet', rssi: -52, secured: true }]))
          send(encodeImprovResult(ImprovCommand.scan, [n.ssid, String(n.rssi), n.secured ? 'YES' : 'NO']));
        send(encodeImprovResult(ImprovCommand.scan, []));
        return;
      case ImprovCommand.wifiSettings: {
        const strings = decodeStrings(payload);
        if (!strings || strings.length !== 2) return sendError(ImprovError.invalidRpc);
        const [ssid, password] = strings as [string, string];
        sendState(ImprovState.provisioning);
        log(`Connecting to '${ssid}'`);
        later(options.connectDelayMs ?? 200, () => {
          const accepted = options.credentials ?? { SiteNet: 'correct horse' };
          if (Object.hasOwn(accepted, ssid) && accepted[ssid] === password) {
            joinedSsid = ssid;
            log(`WiFi connected, IP ${new URL(url()).hostname}`);
            sendState(ImprovState.provisioned);
            send(encodeImprovResult(ImprovCommand.wifiSettings, [url()]));
          } else {
            log('WiFi connection failed');
            sendError(ImprovError.unableToConnect);
            sendState(ImprovState.ready);
          }
        });
        return;
      }
      case ImprovCommand.hostname:
      case ImprovCommand.deviceName: {
        if (!options.supportsNames) return sendError(ImprovError.unknownCommand);
        const value = new TextDecoder().decode(payload);
        if (command === ImprovCommand.hostname) {
          if (payload.length) {
            if (!/^[a-zA-Z0-9-]{1,63}$/.test(value)) return sendError(ImprovError.badHostname);
            hostname = value;
          }
          return send(encodeImprovResult(command, [hostname]));
        }
        if (payload.length) deviceName = value;
        return send(encodeImprovResult(command, [deviceName]));
      }
      default:
        sendError(ImprovError.unknownCommand);
    }
  };

  port.on('data', (chunk: Buffer) => {
    for (const item of reader.push(new Uint8Array(chunk))) {
      if (item.kind === 'invalid') {
        invalidFramesReceived++;
        sendError(ImprovError.invalidRpc);
      } else if (item.kind === 'frame' && item.frame.type === ImprovType.rpc) {
        const body = decodeRpcBody(item.frame.data);
        if (!body) sendError(ImprovError.invalidRpc);
        else handleRpc(body.command, body.payload);
      }
    }
  });
  let tick = 0;
  const logTimer =
    options.logIntervalMs && options.logIntervalMs > 0
      ? setInterval(() => log(`uptime tick ${++tick}`), options.logIntervalMs)
      : undefined;
  log('Improv serial ready');

  return {
    get state() {
      return state;
    },
    get joinedSsid() {
      return joinedSsid;
    },
    get deviceName() {
      return deviceName;
    },
    get hostname() {
      return hostname;
    },
    get invalidFramesReceived() {
      return invalidFramesReceived;
    },
    async close() {
      closed = true;
      if (logTimer) clearInterval(logTimer);
      for (const t of timers) clearTimeout(t);
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
};
