/**
 * Cleans text a device supplied (names, TXT values, MQTT payload fields) for display: control
 * characters including NUL become U+FFFD, invalid UTF-8 has already become U+FFFD in decoding,
 * and the length is capped. The result is still untrusted text: render it as text, never as HTML.
 */
export const deviceText = (value: unknown, max = 200): string => {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

/** A MAC address as 12 lowercase hex digits, or undefined when `value` is not one. */
export const normaliseMac = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const hex = value.replace(/[:\-.\s]/g, '').toLowerCase();
  return /^[0-9a-f]{12}$/.test(hex) && hex !== '000000000000' ? hex : undefined;
};
