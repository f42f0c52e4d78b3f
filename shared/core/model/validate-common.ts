/** What every validator shares: the context it checks against, and small checks. */
import type { Catalog } from './catalog';
import { problem, type Problem, type ProblemCode } from './problems';

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

/** How a set validator names a duplicate id: its code, the noun for messages, and the fix. */
export interface DuplicateRule {
  readonly code: ProblemCode;
  readonly noun: string;
  readonly hint: string;
}

/**
 * Checks a set of files: each one with `validateOne`, plus ids used by more than one file
 * (the later file is reported, naming the first).
 */
export const validateSet = (
  entries: readonly { file?: string; value: unknown }[],
  validateOne: (value: unknown, file: string | undefined) => Problem[],
  duplicate: DuplicateRule,
): Problem[] => {
  const problems: Problem[] = [];
  const firstFile = new Map<string, string | undefined>();
  for (const { file, value } of entries) {
    problems.push(...validateOne(value, file));
    const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
    if (id === undefined) continue;
    if (firstFile.has(id)) {
      problems.push(
        problem(
          duplicate.code,
          'error',
          'id',
          `the id "${id}" is also used by ${firstFile.get(id) ?? `another ${duplicate.noun}`}`,
          duplicate.hint,
          file,
        ),
      );
    } else firstFile.set(id, file);
  }
  return problems;
};
