import { FieldgraphError } from '../../core/errors';

/**
 * What commissioning needs, with secrets resolved to values in memory only: the site's Wi-Fi
 * and broker, and per device the name, room and topic it should get. Never logged, never
 * returned to the UI, never written to a report.
 */

/** The site's network profile with secret values resolved. */
export interface CommissionProfile {
  readonly siteId?: string;
  readonly siteName?: string;
  readonly installer?: string;
  readonly wifi: { readonly ssid: string; readonly password: string };
  readonly broker?: {
    readonly host: string;
    readonly port: number;
    readonly tls?: boolean;
    readonly username?: string;
    readonly password?: string;
  };
}

/** What one device should be called and where it belongs. */
export interface DeviceAssignment {
  readonly name?: string;
  readonly room?: string;
  /** MQTT topic / prefix; derived from the name when absent. */
  readonly topic?: string;
}

/** What commissioning learned about a device; the report and the CLI JSON print it. */
export interface CommissionedDevice {
  readonly firmware?: string;
  readonly version?: string;
  readonly chip?: string;
  readonly name?: string;
  readonly url?: string;
  readonly mac?: string;
  readonly ip?: string;
  readonly model?: string;
  readonly topic?: string;
}

/**
 * Checks the Wi-Fi name and password against what every Wi-Fi device accepts (SSID ≤ 32 bytes;
 * WPA2 passphrase 8–63 characters or 64 hex digits; empty for an open network), so a typo is
 * refused before anything is sent. Throws `commission.invalid_value` without quoting the password.
 */
export const checkWifiSettings = (wifi: CommissionProfile['wifi']): void => {
  const ssidBytes = new TextEncoder().encode(wifi.ssid).length;
  if (ssidBytes === 0 || ssidBytes > 32)
    throw new FieldgraphError(
      'commission.invalid_value',
      `The Wi-Fi name is ${ssidBytes} bytes; it must be 1 to 32.`,
      {
        field: 'ssid',
      },
    );
  const passBytes = new TextEncoder().encode(wifi.password).length;
  if (passBytes > 64 || (passBytes === 64 && !/^[0-9a-f]{64}$/i.test(wifi.password)))
    throw new FieldgraphError(
      'commission.invalid_value',
      `The Wi-Fi password is ${passBytes} bytes; WPA2 allows at most 63 characters (or 64 hex digits).`,
      { field: 'password' },
    );
  if (passBytes > 0 && passBytes < 8)
    throw new FieldgraphError(
      'commission.invalid_value',
      'The Wi-Fi password is shorter than 8 characters, which WPA2 does not allow.',
      {
        field: 'password',
      },
    );
};

/** A step reporter: the queue turns these into progress events. */
export type StepReporter = (step: string, detail?: string) => void;

/** A topic-safe slug of a device name: `Kitchen Relay 1` → `kitchen_relay_1`. */
export const topicFromName = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32) || 'device';

/** The host of a URL (`http://192.168.1.50:80/x` → `192.168.1.50`), or undefined. */
export const hostOfUrl = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Fills a naming scheme such as `{room}-{capability}-{n}` for the n-th device; unknown
 * placeholders are left out, and the result never starts or ends with a separator.
 */
export const applyNamingScheme = (
  scheme: string,
  values: Readonly<Record<string, string | number | undefined>>,
): string =>
  scheme
    .replace(/\{([a-z]+)\}/gi, (_, key: string) => {
      const v = values[key];
      return v === undefined ? '' : String(v);
    })
    .replace(/([-_ ])\1+/g, '$1')
    .replace(/^[-_ ]+|[-_ ]+$/g, '');
