import { FieldgraphError } from '../../core/errors';
import { lineCollector } from '../serial/probe';
import type { SerialLink } from '../serial/port';
import { waitForBrokerMessage, type BrokerWait } from './broker-watch';
import type { CommissionedDevice, CommissionProfile, DeviceAssignment, StepReporter } from './profile';
import { topicFromName } from './profile';
import {
  parseTasmotaLine,
  parseTasmotaResult,
  readTasmotaStatus,
  type TasmotaResult,
} from '../protocols/tasmota-log';

/** Timing of Tasmota commissioning. */
export interface TasmotaCommissionOptions {
  /** Wait for the answer to `SerialLog 2` / `Status 0`. Default 3000 ms. */
  readonly answerTimeoutMs?: number;
  /** Wait for every Backlog result line. Default 15000 ms (30 commands × 200 ms plus margin). */
  readonly backlogTimeoutMs?: number;
  /** Wait for `tele/<topic>/LWT Online` after the restart. Default 60000 ms. */
  readonly onlineTimeoutMs?: number;
  readonly onStep?: StepReporter;
  readonly signal?: AbortSignal;
}

/** One Backlog command: Tasmota's command name and the value to set. */
export interface TasmotaSetting {
  readonly command: string;
  readonly value: string;
  /** Passwords are masked in messages. */
  readonly secret?: boolean;
}

const limits: Record<string, number> = {
  SSID1: 32,
  Password1: 64,
  MqttHost: 128,
  MqttUser: 32,
  MqttPassword: 32,
  Topic: 32,
  FullTopic: 100,
  DeviceName: 32,
  FriendlyName1: 32,
};
// Tasmota reads one console line into a buffer of about 520 bytes.
const maxBacklogLength = 500;

/**
 * The Backlog settings for a site profile and a device, validated: a `;` would split the
 * Backlog, a value over Tasmota's limit would be cut, an empty value would only query, and
 * `0`/`1` mean "clear"/"firmware default". Throws `commission.invalid_value` naming the field.
 */
export const tasmotaSettings = (
  profile: CommissionProfile,
  assignment: DeviceAssignment,
): TasmotaSetting[] => {
  const name = assignment.name ?? 'Tasmota';
  const topic = assignment.topic ?? topicFromName(name);
  const settings: TasmotaSetting[] = [
    { command: 'SSID1', value: profile.wifi.ssid },
    { command: 'Password1', value: profile.wifi.password, secret: true },
  ];
  if (profile.broker) {
    settings.push({ command: 'MqttHost', value: profile.broker.host });
    settings.push({ command: 'MqttPort', value: String(profile.broker.port) });
    if (profile.broker.username) settings.push({ command: 'MqttUser', value: profile.broker.username });
    if (profile.broker.password)
      settings.push({ command: 'MqttPassword', value: profile.broker.password, secret: true });
  }
  settings.push(
    { command: 'Topic', value: topic },
    { command: 'FullTopic', value: '%prefix%/%topic%/' },
    { command: 'DeviceName', value: name },
    { command: 'FriendlyName1', value: name },
  );
  const label: Record<string, string> = {
    SSID1: 'Wi-Fi name',
    Password1: 'Wi-Fi password',
    MqttHost: 'broker host',
    MqttUser: 'broker user',
    MqttPassword: 'broker password',
    Topic: 'MQTT topic',
    DeviceName: 'device name',
    FriendlyName1: 'device name',
  };
  for (const s of settings) {
    const what = label[s.command] ?? s.command;
    const bytes = new TextEncoder().encode(s.value).length;
    if (s.value.includes(';'))
      throw new FieldgraphError(
        'commission.invalid_value',
        `The ${what} contains ";", which Tasmota's Backlog reads as the end of a command: change it on the ${s.secret ? 'network' : 'site profile'} or commission this device another way.`,
        { field: s.command },
      );
    if (/[\r\n\t\0]/.test(s.value))
      throw new FieldgraphError(
        'commission.invalid_value',
        `The ${what} contains a line break or control character.`,
        {
          field: s.command,
        },
      );
    if (!s.value.trim())
      throw new FieldgraphError('commission.invalid_value', `The ${what} is empty.`, { field: s.command });
    if (s.value !== s.value.trim())
      throw new FieldgraphError(
        'commission.invalid_value',
        `The ${what} starts or ends with a space, which Tasmota drops.`,
        {
          field: s.command,
        },
      );
    const limit = limits[s.command];
    if (limit && bytes > limit)
      throw new FieldgraphError(
        'commission.invalid_value',
        `The ${what} is ${bytes} bytes; Tasmota keeps at most ${limit}.`,
        { field: s.command, limit },
      );
    if ((s.command === 'SSID1' || s.command === 'Password1') && (s.value === '0' || s.value === '1'))
      throw new FieldgraphError(
        'commission.invalid_value',
        `Tasmota reads a ${what} of "${s.value}" as a reset command.`,
        {
          field: s.command,
        },
      );
  }
  if (profile.broker?.password && profile.broker.password.length < 5)
    throw new FieldgraphError(
      'commission.invalid_value',
      'Tasmota needs a broker password of at least 5 characters.',
      {
        field: 'MqttPassword',
      },
    );
  if (/[\s#+/]/.test(topic))
    throw new FieldgraphError(
      'commission.invalid_value',
      `The MQTT topic "${topic}" may not contain spaces, "/", "#" or "+".`,
      {
        field: 'Topic',
      },
    );
  if (backlogLine(settings).length > maxBacklogLength)
    throw new FieldgraphError(
      'commission.invalid_value',
      `The settings make a Backlog of more than ${maxBacklogLength} characters; shorten the names or broker host.`,
    );
  return settings;
};

/** The one Backlog line carrying every setting. */
export const backlogLine = (settings: readonly TasmotaSetting[]): string =>
  `Backlog ${settings.map((s) => `${s.command} ${s.value}`).join('; ')}`;

const cancelled = (): FieldgraphError =>
  new FieldgraphError('commission.cancelled', 'Commissioning was cancelled.');

/**
 * Commissions a Tasmota device over its serial console: `SerialLog 2` first (results are not
 * printed below it), `Status 0` for identity, one validated Backlog, every result line checked,
 * then the restart and `tele/<topic>/LWT Online` on the site broker. Nothing is sent when a
 * value is invalid; success means the device really came online.
 */
export const commissionTasmotaSerial = async (
  link: SerialLink,
  profile: CommissionProfile,
  assignment: DeviceAssignment,
  options: TasmotaCommissionOptions = {},
): Promise<CommissionedDevice> => {
  const step = options.onStep ?? (() => {});
  const settings = tasmotaSettings(profile, assignment);
  const topic = settings.find((s) => s.command === 'Topic')?.value as string;
  const results: TasmotaResult[] = [];
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let closedError: FieldgraphError | undefined;
  const offData = link.onData(
    lineCollector((line) => {
      lines.push(line);
      const parsed = parseTasmotaLine(line);
      const result = parsed && parseTasmotaResult(parsed);
      if (result) results.push(result);
      wake?.();
    }),
  );
  const offClose = link.onClose((info) => {
    closedError = new FieldgraphError(
      'serial.disconnected',
      info.unplugged
        ? `${link.path} was disconnected during commissioning: plug the device back in and retry.`
        : `${link.path} was closed.`,
      { path: link.path },
    );
    wake?.();
  });
  // Waits until `done()` holds, the link dies, the run is cancelled, or time runs out.
  const until = async (
    done: () => boolean,
    timeoutMs: number,
    onTimeout: () => FieldgraphError,
  ): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (closedError) throw closedError;
      if (options.signal?.aborted) throw cancelled();
      const left = deadline - Date.now();
      if (left <= 0) throw onTimeout();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };
  const noAnswer = (): FieldgraphError =>
    new FieldgraphError(
      'commission.no_answer',
      `No answer on ${link.path} at ${link.baudRate} baud: is this a Tasmota device, and not in flashing mode?`,
      { path: link.path, baudRate: link.baudRate },
    );
  let online: BrokerWait | undefined;
  try {
    step('serial-log', 'SerialLog 2');
    await link.write('SerialLog 2\n');
    await until(() => results.some((r) => hasKey(r, 'SerialLog')), options.answerTimeoutMs ?? 3000, noAnswer);

    step('identify', 'Status 0');
    const statusFrom = results.length;
    await link.write('Status 0\n');
    await until(
      () => results.slice(statusFrom).some((r) => hasKey(r, 'StatusNET')),
      options.answerTimeoutMs ?? 3000,
      noAnswer,
    );
    const merged: Record<string, unknown> = {};
    for (const r of results.slice(statusFrom))
      if (r.payload && typeof r.payload === 'object') Object.assign(merged, r.payload);
    const status = readTasmotaStatus(merged);

    if (profile.broker) {
      step('broker', `subscribe tele/${topic}/LWT`);
      online = await waitForBrokerMessage(
        profile.broker,
        `tele/${topic}/LWT`,
        (p) => p === 'Online',
        options.onlineTimeoutMs ?? 60_000,
      );
    }
    step('configure', `Backlog of ${settings.length} settings`);
    const backlogFrom = results.length;
    const linesFrom = lines.length;
    await link.write(`${backlogLine(settings)}\n`);
    const missing = (): TasmotaSetting[] =>
      settings.filter((s) => !results.slice(backlogFrom).some((r) => hasKey(r, s.command)));
    await until(
      () => missing().length === 0 || results.slice(backlogFrom).some((r) => isUnknownCommand(r)),
      options.backlogTimeoutMs ?? 15_000,
      () =>
        new FieldgraphError(
          'commission.device_error',
          `Tasmota did not confirm ${missing()
            .map((s) => s.command)
            .join(', ')}: the Backlog may have been cut short; retry.`,
        ),
    );
    if (results.slice(backlogFrom).some((r) => isUnknownCommand(r)))
      throw new FieldgraphError(
        'commission.device_error',
        'Tasmota answered "Unknown command" to part of the Backlog: is the firmware very old?',
      );

    step('restart', 'waiting for the restart');
    const restarted = (): boolean =>
      lines.slice(linesFrom).some((l) => /APP: Restarting|HDW:|CFG: Loaded/.test(l));
    await until(
      restarted,
      options.backlogTimeoutMs ?? 15_000,
      () =>
        new FieldgraphError(
          'commission.device_error',
          'Tasmota stored the settings but did not restart; power-cycle it and watch the console.',
        ),
    );
    const wifiFailed = (): boolean =>
      lines.slice(linesFrom).some((l) => /WIF: .*(failed|incorrect password|AP timeout)/i.test(l));
    if (online) {
      step('online', `tele/${topic}/LWT`);
      const wait = online;
      let came = false;
      void wait.message.then(
        () => (came = true),
        () => {},
      );
      await until(
        () => came || wifiFailed(),
        options.onlineTimeoutMs ?? 60_000,
        () =>
          new FieldgraphError(
            'commission.broker_timeout',
            `The device restarted but did not come online on the broker (tele/${topic}/LWT): check the broker address, user and password.`,
          ),
      );
      if (!came && wifiFailed())
        throw new FieldgraphError(
          'commission.wifi_rejected',
          `The device could not join "${profile.wifi.ssid}": the Wi-Fi password was rejected or the network is out of range.`,
        );
    }
    const ip = status.ip && status.ip !== '0.0.0.0' ? status.ip : undefined;
    return {
      firmware: 'Tasmota',
      ...(status.version ? { version: status.version } : {}),
      ...(status.hardware ? { chip: status.hardware } : {}),
      name: settings.find((s) => s.command === 'DeviceName')?.value as string,
      ...(ip ? { url: `http://${ip}/`, ip } : {}),
      ...(status.mac ? { mac: status.mac.replace(/:/g, '').toLowerCase() } : {}),
      topic,
    };
  } finally {
    offData();
    offClose();
    await online?.stop();
  }
};

const hasKey = (r: TasmotaResult, command: string): boolean =>
  !!r.payload &&
  typeof r.payload === 'object' &&
  Object.keys(r.payload as object).some((k) => k.toLowerCase() === command.toLowerCase());

const isUnknownCommand = (r: TasmotaResult): boolean =>
  !!r.payload &&
  typeof r.payload === 'object' &&
  (r.payload as Record<string, unknown>).Command === 'Unknown';
