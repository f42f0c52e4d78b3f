import { FieldgraphError } from '../../core/errors';
import { waitForBrokerMessage, type BrokerWait } from './broker-watch';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from '../protocols/digest-auth';
import type { CommissionedDevice, CommissionProfile, DeviceAssignment, StepReporter } from './profile';
import { checkWifiSettings, hostOfUrl } from './profile';

/** What `GET /shelly` tells about a device (Gen2+ fields; Gen1 lacks `gen`). */
export interface ShellyIdentity {
  readonly id?: string;
  readonly mac?: string;
  readonly model?: string;
  readonly gen?: number;
  readonly ver?: string;
  readonly app?: string;
  readonly auth_en?: boolean;
}

/** Options for talking to one Shelly. */
export interface ShellyOptions {
  /** Device password when authentication is on (user is always `admin`). */
  readonly password?: string;
  /** Per-request timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Wait for `<prefix>/online` = `true` on the site broker after WiFi.SetConfig. Default 60000 ms; 0 skips. */
  readonly onlineTimeoutMs?: number;
  readonly onStep?: StepReporter;
  readonly signal?: AbortSignal;
}

/**
 * A JSON-RPC client for one Shelly Gen2+ over HTTP `POST /rpc`, with SHA-256 digest
 * authentication done by hand (fetch has none): the first 401 gives the challenge, later calls
 * reuse it with a rising nonce count, and a second 401 means the password is wrong.
 */
export class ShellyRpcClient {
  private challenge: DigestChallenge | undefined;
  private nc = 0;
  private id = 0;

  constructor(
    readonly baseUrl: string,
    private readonly options: Pick<ShellyOptions, 'password' | 'timeoutMs' | 'signal'> = {},
  ) {}

  /** `GET /shelly`: identity without authentication. */
  async identify(): Promise<ShellyIdentity> {
    const response = await this.fetch('GET', '/shelly');
    if (!response.ok) throw this.httpError(response.status, '/shelly');
    return (await response.json()) as ShellyIdentity;
  }

  /** Calls one method; returns its `result` or throws `commission.device_error` with the device's message. */
  async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const body = JSON.stringify({ id: ++this.id, src: 'fieldgraph', method, params });
    let response = await this.fetch('POST', '/rpc', body, this.authorization('POST', '/rpc'));
    if (response.status === 401) {
      const fresh = parseDigestChallenge(response.headers.get('www-authenticate'));
      await response.body?.cancel();
      if (!fresh)
        throw new FieldgraphError(
          'commission.auth_failed',
          `${this.baseUrl} asks for a login Fieldgraph cannot answer (not Digest).`,
        );
      if (!this.options.password)
        throw new FieldgraphError(
          'commission.auth_failed',
          `${this.baseUrl} has a password: enter the device password (user admin) and retry.`,
        );
      this.challenge = fresh;
      this.nc = 0;
      response = await this.fetch('POST', '/rpc', body, this.authorization('POST', '/rpc'));
      if (response.status === 401) {
        await response.body?.cancel();
        throw new FieldgraphError(
          'commission.auth_failed',
          `${this.baseUrl} refused the device password (user admin).`,
        );
      }
    }
    if (!response.ok) throw this.httpError(response.status, `/rpc ${method}`);
    const frame = (await response.json()) as {
      result?: unknown;
      error?: { code?: number; message?: string };
    };
    if (frame.error)
      throw new FieldgraphError(
        'commission.device_error',
        `The Shelly refused ${method}: ${frame.error.message ?? 'error'} (code ${frame.error.code ?? '?'}).`,
        { method, code: frame.error.code },
      );
    return frame.result;
  }

  private authorization(method: string, uri: string): string | undefined {
    if (!this.challenge || !this.options.password) return undefined;
    return digestAuthorization(this.challenge, 'admin', this.options.password, method, uri, ++this.nc);
  }

  private async fetch(
    method: string,
    path: string,
    body?: string,
    authorization?: string,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5000);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    try {
      return await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(authorization ? { authorization } : {}),
        },
        ...(body ? { body } : {}),
        signal,
      });
    } catch (error) {
      if (this.options.signal?.aborted)
        throw new FieldgraphError('commission.cancelled', 'Commissioning was cancelled.');
      throw new FieldgraphError(
        'commission.no_answer',
        `No answer from ${this.baseUrl}: is this computer on the device's network (its own access point is at 192.168.33.1)? ${(error as Error).message}`,
        { url: this.baseUrl },
      );
    }
  }

  private httpError(status: number, what: string): FieldgraphError {
    return new FieldgraphError(
      'commission.device_error',
      `${this.baseUrl} answered HTTP ${status} to ${what}.`,
      { status },
    );
  }
}

/** The MQTT topic prefix for a device: its assigned topic, or the Shelly device id. */
const prefixFor = (assignment: DeviceAssignment, identity: ShellyIdentity): string =>
  assignment.topic ?? identity.id ?? 'shelly';

const checkValue = (what: string, value: string, max: number, forbidden?: RegExp): void => {
  const bytes = new TextEncoder().encode(value).length;
  if (!value) throw new FieldgraphError('commission.invalid_value', `The ${what} is empty.`);
  if (bytes > max)
    throw new FieldgraphError(
      'commission.invalid_value',
      `The ${what} is ${bytes} bytes; Shelly keeps at most ${max}.`,
    );
  if (forbidden?.test(value))
    throw new FieldgraphError(
      'commission.invalid_value',
      `The ${what} "${value}" contains a character Shelly does not allow.`,
    );
};

/**
 * Commissions a Shelly Gen2+ over HTTP RPC: identity from `/shelly`, then `Sys.SetConfig`
 * (name), `MQTT.SetConfig` (site broker, topic prefix, notifications), and `WiFi.SetConfig`
 * LAST because the device may leave its access point right after; a reboot when a step asked
 * for one; then `<prefix>/online` = `true` on the broker when a broker is given.
 */
export const commissionShelly = async (
  baseUrl: string,
  profile: CommissionProfile,
  assignment: DeviceAssignment,
  options: ShellyOptions = {},
): Promise<CommissionedDevice> => {
  const step = options.onStep ?? (() => {});
  const client = new ShellyRpcClient(baseUrl, options);
  step('identify', 'GET /shelly');
  const identity = await client.identify();
  if (!identity.gen || identity.gen < 2)
    throw new FieldgraphError(
      'commission.unsupported',
      `${baseUrl} is a Gen1 Shelly (no RPC); commission it in its web page or with the Shelly app.`,
    );
  const prefix = prefixFor(assignment, identity);
  checkWifiSettings(profile.wifi);
  if (assignment.name) checkValue('device name', assignment.name, 64);
  checkValue('MQTT topic prefix', prefix, 300, /^\$|[#+%?]/);

  let online: BrokerWait | undefined;
  try {
    let restart = false;
    const needsRestart = (result: unknown): void => {
      if (result && typeof result === 'object' && (result as { restart_required?: boolean }).restart_required)
        restart = true;
    };
    if (assignment.name) {
      step('name', 'Sys.SetConfig');
      needsRestart(await client.call('Sys.SetConfig', { config: { device: { name: assignment.name } } }));
    }
    if (profile.broker) {
      step('mqtt', 'MQTT.SetConfig');
      needsRestart(
        await client.call('MQTT.SetConfig', {
          config: {
            enable: true,
            server: `${profile.broker.host}:${profile.broker.port}`,
            ...(profile.broker.username ? { user: profile.broker.username } : {}),
            ...(profile.broker.password ? { pass: profile.broker.password } : {}),
            ssl_ca: profile.broker.tls ? 'ca.pem' : null,
            topic_prefix: prefix,
            rpc_ntf: true,
            status_ntf: true,
          },
        }),
      );
      if ((options.onlineTimeoutMs ?? 60_000) > 0)
        online = await waitForBrokerMessage(
          profile.broker,
          `${prefix}/online`,
          (p) => p === 'true',
          options.onlineTimeoutMs ?? 60_000,
        );
    }
    step('wifi', 'WiFi.SetConfig');
    needsRestart(
      await client.call('WiFi.SetConfig', {
        config: { sta: { ssid: profile.wifi.ssid, pass: profile.wifi.password, enable: true } },
      }),
    );
    if (restart) {
      step('reboot', 'Shelly.Reboot');
      // The device may already be leaving its access point: a lost answer here is expected.
      await client.call('Shelly.Reboot', {}).catch(() => undefined);
    }
    if (online) {
      step('online', `${prefix}/online`);
      await online.message;
    }
    const ip = hostOfUrl(baseUrl);
    return {
      firmware: 'Shelly',
      ...(identity.ver ? { version: identity.ver } : {}),
      ...(identity.app || identity.model ? { model: identity.app ?? identity.model } : {}),
      ...(identity.model ? { chip: identity.model } : {}),
      ...(assignment.name ? { name: assignment.name } : {}),
      url: baseUrl,
      ...(ip ? { ip } : {}),
      ...(identity.mac ? { mac: identity.mac.replace(/:/g, '').toLowerCase() } : {}),
      topic: prefix,
    };
  } finally {
    await online?.stop();
  }
};
