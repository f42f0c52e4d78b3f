/**
 * Which secrets a site file uses: the references a package must carry, sealed, for the gateway
 * to log in to the site's devices and services. Pure; works on parsed, unvalidated site JSON so
 * packing can name every reference before anything is read from the secret store.
 */

/** One place a site file names a secret. */
export interface SiteSecretUse {
  /** The reference name (`{ "secret": name }`), the key of the value in the secret store. */
  readonly secret: string;
  /** Where in the site file, for messages: `wifi.password`, `devices[shelly1].auth.password`. */
  readonly field: string;
}

const refName = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = (value as { secret?: unknown }).secret;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

const member = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Every secret reference in `site`, in file order: the Wi-Fi password, the broker password, the
 * flow endpoints' HTTP token, and each device's `auth.password`. A reference used twice is listed twice (once per field).
 */
export const siteSecretUses = (site: unknown): SiteSecretUse[] => {
  const uses: SiteSecretUse[] = [];
  const add = (value: unknown, field: string) => {
    const secret = refName(value);
    if (secret) uses.push({ secret, field });
  };
  add(member(member(site, 'wifi'), 'password'), 'wifi.password');
  add(member(member(site, 'broker'), 'password'), 'broker.password');
  add(member(member(site, 'http'), 'token'), 'http.token');
  const devices = member(site, 'devices');
  if (Array.isArray(devices)) {
    devices.forEach((device, i) => {
      const id = member(device, 'id');
      add(
        member(member(device, 'auth'), 'password'),
        `devices[${typeof id === 'string' ? id : i}].auth.password`,
      );
    });
  }
  return uses;
};

/** The distinct reference names of `uses`, sorted: what a package seals. */
export const secretNames = (uses: readonly SiteSecretUse[]): string[] =>
  [...new Set(uses.map((u) => u.secret))].sort();
