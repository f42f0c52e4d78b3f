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
