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

/** True for links the app may hand to the system browser: https only. */
export const isExternalLinkAllowed = (raw: string): boolean => {
  try {
    return new URL(raw).protocol === 'https:';
  } catch {
    return false;
  }
};
