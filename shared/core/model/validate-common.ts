/** What every validator shares: the context it checks against, and small checks. */
import type { Catalog } from './catalog';

/** Where the file sits (for messages) and what it may refer to. */
export interface ValidationContext {
  readonly file?: string;
  /** The library plus the project's own capabilities and models; references are checked against it when given. */
  readonly catalog?: Catalog;
}

/** True for a plain JSON object. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a regular expression does not compile, or undefined when it does. */
export const badPattern = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};
