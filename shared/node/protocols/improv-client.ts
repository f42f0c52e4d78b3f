import { FieldgraphError } from '../../core/errors';
import {
  decodeRpcBody,
  decodeStrings,
  encodeImprovRpc,
  ImprovCommand,
  ImprovError,
  ImprovState,
  ImprovStreamReader,
  ImprovType,
  lengthPrefixed,
  wifiSettingsPayload,
  type ImprovFrame,
} from './improv-frame';

/** Device info strings (RPC 0x03): firmware, version, chip, name, optional OS. */
export interface ImprovDeviceInfo {
  readonly firmware: string;
  readonly version: string;
  readonly chip: string;
  readonly name: string;
  readonly osName?: string;
  readonly osVersion?: string;
}

/** One network from a device scan (RPC 0x04). */
export interface ImprovNetwork {
  readonly ssid: string;
  readonly rssi: number;
  readonly secured: boolean;
}

/** The device's state, with the redirect URLs it gave when provisioned. */
export interface ImprovStateReport {
  readonly state: number;
  readonly urls: string[];
}

/**
 * What the client needs of a byte link: an open serial port (shared/node/serial's SerialLink)
 * or anything else that carries Improv frames. `write` must send its bytes in one write call.
 */
export interface ImprovLink {
  readonly path: string;
  readonly baudRate: number;
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** `unplugged` is true when the link went away under the client, not closed by it. */
  onClose(listener: (info: { readonly unplugged: boolean }) => void): () => void;
}

/**
 * Timing of the client. Devices answer an RPC within a second or two; a Wi-Fi join takes up to
 * 30 s on ESPHome (then "unable to connect") and longer on Tasmota, which restarts first, so the
 * provisioning wait is generous. See docs/device-protocols.md (Improv Wi-Fi over serial).
 */
export interface ImprovClientOptions {
  /** How long to wait for the answer to one RPC. Default 5000 ms. */
  readonly rpcTimeoutMs?: number;
  /** How long to wait for "provisioned" after sending Wi-Fi settings. Default 60000 ms. */
  readonly provisionTimeoutMs?: number;
  /** Log lines the device prints between frames. */
  readonly onLine?: (text: string) => void;
}

type FrameWaiter = (frame: ImprovFrame) => void;

const stateNames: Record<number, string> = {
  [ImprovState.stopped]: 'stopped',
  [ImprovState.awaitingAuthorization]: 'awaiting authorization',
  [ImprovState.ready]: 'ready',
  [ImprovState.provisioning]: 'provisioning',
  [ImprovState.provisioned]: 'provisioned',
};

/** A readable name for an Improv state byte. */
export const improvStateName = (state: number): string =>
  stateNames[state] ?? `state 0x${state.toString(16)}`;

/**
 * An Improv serial client on an open link: one RPC at a time (devices are single-threaded),
 * each frame in one write, log lines passed through, and every wait bounded. Failures are
 * FieldgraphErrors a person can act on; an unplugged port fails the pending call at once.
 */
export class ImprovClient {
  private readonly reader = new ImprovStreamReader();
  private readonly waiters = new Set<FrameWaiter>();
  private readonly failers = new Set<(error: FieldgraphError) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private invalidFrames = 0;
  private closedError: FieldgraphError | undefined;
  private readonly offData: () => void;
  private readonly offClose: () => void;
  /** The last state the device reported. */
  lastState: number | undefined;

  constructor(
    private readonly link: ImprovLink,
    private readonly options: ImprovClientOptions = {},
  ) {
    this.offData = link.onData((bytes) => {
      for (const item of this.reader.push(bytes)) {
        if (item.kind === 'line') options.onLine?.(item.text);
        else if (item.kind === 'invalid') this.invalidFrames++;
        else {
          if (item.frame.type === ImprovType.state) this.lastState = item.frame.data[0];
          for (const waiter of [...this.waiters]) waiter(item.frame);
        }
      }
    });
    this.offClose = link.onClose((info) => {
      this.closedError = new FieldgraphError(
        'serial.disconnected',
        info.unplugged
          ? `${link.path} was disconnected during commissioning: plug the device back in and retry.`
          : `${link.path} was closed during commissioning.`,
        { path: link.path },
      );
      for (const fail of [...this.failers]) fail(this.closedError);
    });
  }

  /** Stops listening to the link (the link stays open; the caller closes it). */
  dispose(): void {
    this.offData();
    this.offClose();
  }

  /**
   * Asks for the current state, resending every `intervalMs` because a device may still be
   * booting after the port opened; a provisioned device also reports its URLs.
   */
  requestState(attempts = 3, intervalMs = 1000): Promise<ImprovStateReport> {
    return this.serial(async () => {
      const frame = encodeImprovRpc(ImprovCommand.currentState);
      let state: number | undefined;
      const urls: string[] = [];
      await this.waitFrames(
        attempts * intervalMs + 500,
        (f) => {
          if (f.type === ImprovType.state) {
            state = f.data[0];
            // A provisioned device follows its state with a result carrying the URLs.
            return state !== ImprovState.provisioned;
          }
          if (f.type === ImprovType.rpcResult && state === ImprovState.provisioned) {
            const body = decodeRpcBody(f.data);
            if (body?.command === ImprovCommand.currentState)
              urls.push(...(decodeStrings(body.payload) ?? []));
            return true;
          }
          return false;
        },
        async () => {
          for (let i = 0; i < attempts && state === undefined; i++) {
            await this.link.write(frame);
            await sleep(intervalMs);
          }
        },
      ).catch((error: unknown) => {
        // A provisioned device that never sends its URL still told us its state.
        if (
          state === undefined ||
          !(error instanceof FieldgraphError) ||
          error.code !== 'commission.no_answer'
        )
          throw error;
      });
      return { state: state as number, urls };
    });
  }

  /** Firmware, version, chip and name (RPC 0x03). */
  deviceInfo(): Promise<ImprovDeviceInfo> {
    return this.serial(async () => {
      const strings = await this.rpc(ImprovCommand.deviceInfo);
      if (strings.length < 4)
        throw new FieldgraphError(
          'commission.protocol_error',
          `The device sent ${strings.length} device-info strings; Improv needs at least 4.`,
        );
      const [firmware, version, chip, name, osName, osVersion] = strings as [
        string,
        string,
        string,
        string,
        string?,
        string?,
      ];
      return {
        firmware,
        version,
        chip,
        name,
        ...(osName ? { osName } : {}),
        ...(osVersion ? { osVersion } : {}),
      };
    });
  }

  /** Networks the device sees (RPC 0x04): one result per network, then an empty result. */
  scan(timeoutMs = 15_000): Promise<ImprovNetwork[]> {
    return this.serial(async () => {
      const networks: ImprovNetwork[] = [];
      await this.waitFrames(
        timeoutMs,
        (f) => {
          this.throwOnDeviceError(f, ImprovCommand.scan);
          const body = f.type === ImprovType.rpcResult ? decodeRpcBody(f.data) : undefined;
          if (body?.command !== ImprovCommand.scan) return false;
          const strings = decodeStrings(body.payload) ?? [];
          if (strings.length === 0) return true;
          const [ssid = '', rssi = '0', auth = 'NO'] = strings;
          // As ESPHome's own client reads it: anything but "NO" needs a password.
          const level = Number.parseInt(rssi, 10);
          networks.push({ ssid, rssi: Number.isFinite(level) ? level : 0, secured: auth !== 'NO' });
          return false;
        },
        () => this.link.write(encodeImprovRpc(ImprovCommand.scan)),
      );
      return networks;
    });
  }

  /**
   * Sends Wi-Fi settings and waits for "provisioned" and the redirect URL (first string of the
   * 0x01 result). Error 0x03 becomes `commission.wifi_rejected`.
   */
  provision(ssid: string, password: string): Promise<ImprovStateReport> {
    return this.serial(async () => {
      const payload = wifiSettingsPayload(ssid, password);
      if (payload.length + 2 > 255)
        throw new FieldgraphError(
          'commission.invalid_value',
          'The Wi-Fi name and password together are too long for Improv (253 bytes at most).',
        );
      let provisioned = false;
      const urls: string[] = [];
      await this.waitFrames(
        this.options.provisionTimeoutMs ?? 60_000,
        (f) => {
          if (f.type === ImprovType.error && f.data[0] === ImprovError.unableToConnect)
            throw new FieldgraphError(
              'commission.wifi_rejected',
              `The device could not join "${ssid}": check the Wi-Fi password and that the network is in range (2.4 GHz).`,
            );
          this.throwOnDeviceError(f, ImprovCommand.wifiSettings);
          if (f.type === ImprovType.state && f.data[0] === ImprovState.provisioned) provisioned = true;
          const body = f.type === ImprovType.rpcResult ? decodeRpcBody(f.data) : undefined;
          if (body?.command === ImprovCommand.wifiSettings) {
            urls.push(...(decodeStrings(body.payload) ?? []));
            return true;
          }
          return false;
        },
        () => this.link.write(encodeImprovRpc(ImprovCommand.wifiSettings, payload)),
        'provisioning',
      );
      return {
        state: provisioned ? ImprovState.provisioned : (this.lastState ?? ImprovState.provisioned),
        urls,
      };
    });
  }

  /** Reads or sets the hostname (RPC 0x05); undefined when the firmware does not support it. */
  hostname(value?: string): Promise<string | undefined> {
    return this.optionalName(ImprovCommand.hostname, value);
  }

  /** Reads or sets the device name (RPC 0x06); undefined when the firmware does not support it. */
  deviceName(value?: string): Promise<string | undefined> {
    return this.optionalName(ImprovCommand.deviceName, value);
  }

  private optionalName(command: number, value?: string): Promise<string | undefined> {
    return this.serial(async () => {
      try {
        const strings = await this.rpc(
          command,
          value === undefined ? undefined : lengthPrefixed(value).subarray(1),
        );
        return strings[0];
      } catch (error) {
        if (error instanceof FieldgraphError && error.code === 'commission.unsupported') return undefined;
        throw error;
      }
    });
  }

  private rpc(command: number, payload?: Uint8Array): Promise<string[]> {
    let strings: string[] = [];
    return this.waitFrames(
      this.options.rpcTimeoutMs ?? 5000,
      (f) => {
        this.throwOnDeviceError(f, command);
        const body = f.type === ImprovType.rpcResult ? decodeRpcBody(f.data) : undefined;
        if (body?.command !== command) return false;
        const decoded = decodeStrings(body.payload);
        if (!decoded)
          throw new FieldgraphError('commission.protocol_error', 'The device sent a malformed RPC result.');
        strings = decoded;
        return true;
      },
      () => this.link.write(encodeImprovRpc(command, payload)),
    ).then(() => strings);
  }

  private throwOnDeviceError(f: ImprovFrame, command: number): void {
    if (f.type !== ImprovType.error) return;
    const code = f.data[0];
    if (code === ImprovError.none) return;
    if (code === ImprovError.unknownCommand)
      throw new FieldgraphError(
        'commission.unsupported',
        `The firmware does not support Improv command 0x0${command}.`,
      );
    if (code === ImprovError.notAuthorized)
      throw new FieldgraphError(
        'commission.device_error',
        'The device wants authorization first: press its button (Improv "awaiting authorization") and retry.',
      );
    if (code === ImprovError.badHostname)
      throw new FieldgraphError(
        'commission.invalid_value',
        'The device rejected the hostname (letters, digits and "-" only).',
      );
    if (code === ImprovError.invalidRpc)
      throw new FieldgraphError(
        'commission.protocol_error',
        'The device rejected our request as an invalid Improv packet.',
      );
    throw new FieldgraphError(
      'commission.device_error',
      `The device reported Improv error 0x${(code ?? 0).toString(16)}.`,
    );
  }

  // Runs `send`, then feeds frames to `accept` until it returns true, throws, or time runs out.
  private waitFrames(
    timeoutMs: number,
    accept: (frame: ImprovFrame) => boolean,
    send: () => Promise<void>,
    what = 'an answer',
  ): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    const invalidBefore = this.invalidFrames;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: unknown): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        this.failers.delete(fail);
        if (error) reject(error);
        else resolve();
      };
      const waiter: FrameWaiter = (frame) => {
        try {
          if (accept(frame)) finish();
        } catch (error) {
          finish(error);
        }
      };
      const timer = setTimeout(() => {
        const garbled = this.invalidFrames > invalidBefore;
        finish(
          garbled
            ? new FieldgraphError(
                'commission.protocol_error',
                `Only corrupt Improv frames (bad checksums) came from ${this.link.path}: check the cable and the baud rate (${this.link.baudRate}).`,
                { path: this.link.path },
              )
            : new FieldgraphError(
                'commission.no_answer',
                what === 'provisioning'
                  ? `The device on ${this.link.path} did not finish joining Wi-Fi in time: check the network name and that it is in range.`
                  : `No answer on ${this.link.path} at ${this.link.baudRate} baud: is the board in flashing mode, or running firmware without Improv?`,
                { path: this.link.path, baudRate: this.link.baudRate },
              ),
        );
      }, timeoutMs);
      const fail = (error: FieldgraphError): void => finish(error);
      this.waiters.add(waiter);
      this.failers.add(fail);
      send().catch(finish);
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
