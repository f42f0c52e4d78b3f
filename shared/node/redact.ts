/**
 * A URL made safe for labels, messages and logs: no user name, no password, and no query
 * string (presigned storage URLs carry their signature there); `?…` says one was there.
 * Something that is not a URL with a host (`user:password@host` parses as a scheme and a
 * path) is never echoed back, as it may hold a secret.
 */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (!parsed.host) return '(invalid URL)';
    const hadQuery = parsed.search !== '';
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString() + (hadQuery ? '?…' : '');
  } catch {
    return '(invalid URL)';
  }
};
