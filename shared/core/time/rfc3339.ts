/**
 * Strict RFC 3339 timestamps. `Date.parse` accepts many forms and turns impossible ones into
 * NaN, which compares false with everything — an expiry check built on it fails open. This
 * parser accepts only `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with every field in range
 * (leap years included) and answers undefined for anything else.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** Milliseconds since 1970 of a strict RFC 3339 timestamp, or undefined when it is not one. */
export const parseRfc3339 = (text: unknown): number | undefined => {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  // RFC 3339 allows second 60 (a leap second); it is read as the last instant of that minute.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offset = 0;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59)));
  // Date.UTC reads years 0–99 as 1900–1999; set the year on its own.
  date.setUTCFullYear(year);
  return date.getTime() + fraction - offset;
};

/** True when `text` is a strict RFC 3339 timestamp. */
export const isRfc3339 = (text: unknown): text is string => parseRfc3339(text) !== undefined;
