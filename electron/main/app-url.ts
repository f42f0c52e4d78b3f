/** The app's own pages are served from this privileged, standard scheme (never file://). */
export const APP_SCHEME = 'app';
/** Host part of the app's URLs. */
export const APP_HOST = 'fieldgraph';
/** The start page. */
export const APP_START_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * True only for URLs of the app itself. Parsed, never prefix-matched, so
 * `app://fieldgraph.evil/` or `app://fieldgraph@evil/` do not pass. Node's URL parser gives
 * non-special schemes an opaque origin ("null"), so scheme and host are compared instead.
 */
export const isAppUrl = (raw: string): boolean => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === ''
  );
};

/**
 * The documentation hosts the app links to. A link the renderer asks to open goes to the system
 * browser only when it is https on one of these hosts: a compromised renderer cannot use the
 * shell to open arbitrary URLs (or other URL schemes) on the installer's machine.
 */
export const DOCUMENTATION_HOSTS: readonly string[] = [
  'github.com',
  'www.w3.org',
  'mosquitto.org',
  'www.home-assistant.io',
  'esphome.io',
  'tasmota.github.io',
  'shelly-api-docs.shelly.cloud',
  'homieiot.github.io',
  'www.improv-wifi.com',
  'nodered.org',
];

/** True for links the app may hand to the system browser: https on a documentation host, no credentials, default port. */
export const isExternalLinkAllowed = (raw: string): boolean => {
  try {
    const url = new URL(raw);
    return (
      url.protocol === 'https:' &&
      url.username === '' &&
      url.password === '' &&
      url.port === '' &&
      DOCUMENTATION_HOSTS.includes(url.hostname)
    );
  } catch {
    return false;
  }
};
