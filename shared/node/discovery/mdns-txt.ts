import { deviceText, normaliseMac } from '../../core/registry/text';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8', { fatal: false });

/** A TXT record read the RFC 6763 way, with what was wrong with it. */
export interface ParsedTxt {
  /** Keys lower-cased; a bare key is `true`, `key=` is the empty string; the first duplicate wins. */
  readonly entries: Record<string, string | true>;
  /** Every string as sent, printable ASCII kept and other bytes as `\xNN`, for the raw view. */
  readonly strings: string[];
  readonly warnings: string[];
}

const escapeBytes = (bytes: Uint8Array): string => {
  let out = '';
  for (const b of bytes)
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
};

/**
 * Parses the character-strings of a TXT record (RFC 6763 §6): split at the first `=`, keys are
 * printable ASCII without `=`, compared case-insensitively, the first of duplicates wins, empty
 * strings are skipped. Values that are not UTF-8 are kept with U+FFFD and a warning.
 */
export const parseTxt = (data: unknown): ParsedTxt => {
  const entries: Record<string, string | true> = {};
  const strings: string[] = [];
  const warnings: string[] = [];
  const chunks = Array.isArray(data) ? data : data instanceof Uint8Array ? [data] : [];
  for (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) continue;
    strings.push(escapeBytes(chunk));
    if (chunk.length === 0) continue;
    const eq = chunk.indexOf(0x3d);
    const keyBytes = eq === -1 ? chunk : chunk.subarray(0, eq);
    if (keyBytes.length === 0) {
      warnings.push('TXT string with an empty key skipped');
      continue;
    }
    if (keyBytes.some((b) => b < 0x20 || b > 0x7e)) {
      warnings.push(`TXT key "${escapeBytes(keyBytes)}" has non-printable bytes; skipped`);
      continue;
    }
    const key = String.fromCharCode(...keyBytes).toLowerCase();
    if (Object.hasOwn(entries, key)) {
      warnings.push(`TXT key "${key}" appears twice; the first value is used`);
      continue;
    }
    if (eq === -1) {
      entries[key] = true;
      continue;
    }
    const valueBytes = chunk.subarray(eq + 1);
    let value: string;
    try {
      value = strict.decode(valueBytes);
    } catch {
      value = lenient.decode(valueBytes);
      warnings.push(`TXT value of "${key}" is not valid UTF-8`);
    }
    if (value.includes('\u0000')) warnings.push(`TXT value of "${key}" contains NUL bytes`);
    entries[key] = value;
  }
  return { entries, strings, warnings };
};

/**
 * The device's MAC from TXT (`mac`, ESPHome/WLED) or a Shelly-style instance name ending in 12
 * hex digits (`shellyplug-s-C45BBE6A1F03`: the model part may hold hyphens).
 */
export const macFromService = (
  entries: Record<string, string | true>,
  instance: string,
): string | undefined => {
  const fromTxt = typeof entries.mac === 'string' ? normaliseMac(entries.mac) : undefined;
  if (fromTxt) return fromTxt;
  const match = /^shelly[a-z0-9-]*-([0-9a-f]{12})$/i.exec(instance);
  return match ? normaliseMac(match[1]) : undefined;
};

/** A display name for a service: a friendly name from TXT if any, else the instance label. */
export const serviceName = (entries: Record<string, string | true>, instance: string): string => {
  for (const key of ['friendly_name', 'fn', 'name', 'dn']) {
    const value = entries[key];
    if (typeof value === 'string' && value.trim() !== '') return deviceText(value);
  }
  return deviceText(instance);
};
