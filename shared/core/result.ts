import type { ErrorCode } from './errors';

/** The error half of a Result: a catalogued code, a sentence for people, optional data. */
export interface ResultError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** What every API call resolves to; failures cross boundaries as values, never as throws. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

/** A successful Result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A failed Result with a catalogued code. */
export const fail = <T = never>(code: ErrorCode, message: string, details?: unknown): Result<T> =>
  details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
