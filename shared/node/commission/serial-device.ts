import { FieldgraphError } from '../../core/errors';
import { openSerialLink, type SerialLink } from '../serial/port';
import { ImprovClient, type ImprovDeviceInfo } from '../protocols/improv-client';
import { ImprovState } from '../protocols/improv-frame';
import type { CommissionedDevice, CommissionProfile, DeviceAssignment, StepReporter } from './profile';
import { checkWifiSettings, hostOfUrl } from './profile';
import { commissionTasmotaSerial, type TasmotaCommissionOptions } from './tasmota';

/** Which console protocol to use on a serial port; `auto` tries Improv, then Tasmota. */
export type SerialProtocol = 'auto' | 'improv' | 'tasmota';

/** Options for commissioning one device on a serial port. */
export interface SerialCommissionOptions {
  readonly baudRate?: number;
  readonly protocol?: SerialProtocol;
  readonly onStep?: StepReporter;
  readonly signal?: AbortSignal;
  /** Improv detection: attempts × interval (default 3 × 1000 ms, as the JS SDK). */
  readonly improvAttempts?: number;
  readonly improvIntervalMs?: number;
  /** Wait for Improv "provisioned". Default 60000 ms. */
  readonly provisionTimeoutMs?: number;
  readonly tasmota?: Omit<TasmotaCommissionOptions, 'onStep' | 'signal'>;
}

const cancelled = (): FieldgraphError =>
  new FieldgraphError('commission.cancelled', 'Commissioning was cancelled.');

const improvCommission = async (
  link: SerialLink,
  client: ImprovClient,
  profile: CommissionProfile,
  assignment: DeviceAssignment,
  step: StepReporter,
  known?: ImprovDeviceInfo,
): Promise<CommissionedDevice> => {
  step('identify', 'Improv device info');
  const info = known ?? (await client.deviceInfo());
  let name = info.name;
  if (assignment.name) {
    // Hostname and device name are recent Improv additions: set them where the firmware can.
    step('name', 'Improv device name');
    name = (await client.deviceName(assignment.name)) ?? name;
    const host = assignment.name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63);
    if (host) await client.hostname(host);
  }
  step('wifi', `Improv Wi-Fi settings for "${profile.wifi.ssid}"`);
  const report = await client.provision(profile.wifi.ssid, profile.wifi.password);
  if (report.state !== ImprovState.provisioned)
    throw new FieldgraphError('commission.device_error', `${link.path} did not report "provisioned".`);
  const url = report.urls[0];
  const ip = hostOfUrl(url);
  return {
    firmware: info.firmware,
    version: info.version,
    chip: info.chip,
    name,
    ...(url ? { url } : {}),
    ...(ip ? { ip } : {}),
  };
};

/**
 * Commissions the device on one serial port: opens it without resetting the board, speaks
 * Improv (or Tasmota's console when Improv does not answer), and always closes the port, also
 * on failure, unplug or cancel. A cancel closes the port at once and reports
 * `commission.cancelled`.
 */
export const commissionSerialDevice = async (
  path: string,
  profile: CommissionProfile,
  assignment: DeviceAssignment,
  options: SerialCommissionOptions = {},
): Promise<CommissionedDevice> => {
  const step = options.onStep ?? (() => {});
  if (options.signal?.aborted) throw cancelled();
  checkWifiSettings(profile.wifi);
  step('open', `${path} at ${options.baudRate ?? 115200} baud`);
  const link = await openSerialLink(path, options.baudRate ? { baudRate: options.baudRate } : {});
  const onAbort = (): void => void link.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const protocol = options.protocol ?? 'auto';
    if (protocol !== 'tasmota') {
      const client = new ImprovClient(link, {
        ...(options.provisionTimeoutMs ? { provisionTimeoutMs: options.provisionTimeoutMs } : {}),
      });
      try {
        step('detect', 'Improv request current state');
        let detected = true;
        try {
          await client.requestState(options.improvAttempts ?? 3, options.improvIntervalMs ?? 1000);
        } catch (error) {
          if (
            protocol === 'improv' ||
            !(error instanceof FieldgraphError) ||
            error.code !== 'commission.no_answer'
          )
            throw error;
          detected = false;
        }
        if (detected) {
          // Tasmota answers Improv too, but Improv only carries Wi-Fi: with a broker to set,
          // its console does the whole job (MQTT, topic, names) in one restart.
          const info = protocol === 'auto' && profile.broker ? await client.deviceInfo() : undefined;
          if (!info || !/^tasmota/i.test(info.firmware))
            return await improvCommission(link, client, profile, assignment, step, info);
          step('detect', `${info.firmware} ${info.version}: using its console for the broker settings`);
        }
      } finally {
        client.dispose();
      }
    }
    return await commissionTasmotaSerial(link, profile, assignment, {
      ...options.tasmota,
      onStep: step,
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch((error: unknown) => {
      if (protocol === 'auto' && error instanceof FieldgraphError && error.code === 'commission.no_answer')
        throw new FieldgraphError(
          'commission.no_answer',
          `No answer on ${path} at ${link.baudRate} baud: neither Improv nor a Tasmota console replied. Is the board in flashing mode, or is it another baud rate?`,
          { path, baudRate: link.baudRate },
        );
      throw error;
    });
  } catch (error) {
    if (options.signal?.aborted) throw cancelled();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await link.close();
  }
};
