import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';

/** One schema problem, located by JSON pointer. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** The first few schema problems of `value` (at most `limit`), for error details. */
export const schemaProblems = (schema: TSchema, value: unknown, limit = 10): SchemaProblem[] => {
  const problems: SchemaProblem[] = [];
  for (const error of Value.Errors(schema, value)) {
    problems.push({ path: error.path || '/', message: error.message });
    if (problems.length >= limit) break;
  }
  return problems;
};
