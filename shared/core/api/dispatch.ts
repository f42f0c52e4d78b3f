import { Value } from '@sinclair/typebox/value';
import { FieldgraphError, isErrorCode } from '../errors';
import { fail, ok, type Result } from '../result';
import { schemaProblems } from '../schema-problems';
import { MAX_JSON_DEPTH, depthOf } from '../json/bounded';
import type { CallContext } from './contract';
import { methodList, type FieldgraphServices, type MethodEntry } from './index';

export { schemaProblems, type SchemaProblem } from '../schema-problems';

/** Turns a method name and raw arguments into a Result; never throws. */
export type Dispatch = (method: string, args: unknown, context: CallContext) => Promise<Result<unknown>>;

/** Options for the dispatcher. */
export interface DispatcherOptions {
  /** Check results against their schemas too (tests and development). */
  checkResults?: boolean;
  /** Where unexpected errors are reported; the caller only sees code `internal`. */
  onInternalError?: (method: string, error: unknown) => void;
}

const byName = new Map<string, MethodEntry>(methodList.map((entry) => [entry.name, entry]));

/**
 * Binds the services to the contract: looks the method up, validates the arguments, calls
 * the service, and turns whatever happens into a Result. Both transports use this.
 */
export const createDispatcher = (services: FieldgraphServices, options: DispatcherOptions = {}): Dispatch => {
  return async (method, args, context) => {
    const entry = typeof method === 'string' ? byName.get(method) : undefined;
    if (!entry) {
      return fail('api.unknown_method', `There is no API method named ${JSON.stringify(method)}.`);
    }
    // Arguments arrive from a WebSocket or IPC: a deeply nested value is refused before any
    // schema check or service walks it.
    if (depthOf(args, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return fail(
        'api.invalid_arguments',
        `The arguments for ${entry.name} nest more than ${MAX_JSON_DEPTH} levels deep.`,
      );
    }
    if (!Value.Check(entry.spec.args, args)) {
      return fail(
        'api.invalid_arguments',
        `The arguments for ${entry.name} are not valid: ${schemaProblems(entry.spec.args, args, 1)
          .map((p) => `${p.path} ${p.message}`)
          .join('; ')}.`,
        { problems: schemaProblems(entry.spec.args, args) },
      );
    }
    const area = (services as unknown as Record<string, Record<string, unknown>>)[entry.area];
    const fn = area?.[entry.verb];
    if (typeof fn !== 'function') {
      return fail('not_implemented', `${entry.name} is in the contract but no service implements it yet.`);
    }
    try {
      const value: unknown = await fn.call(area, args, context);
      if (options.checkResults && !Value.Check(entry.spec.result, value)) {
        return fail('api.invalid_result', `${entry.name} returned a value that breaks its result schema.`, {
          problems: schemaProblems(entry.spec.result, value),
        });
      }
      return ok(value);
    } catch (error) {
      if (error instanceof FieldgraphError && isErrorCode(error.code)) {
        return fail(error.code, error.message, error.details);
      }
      options.onInternalError?.(entry.name, error);
      return fail('internal', `${entry.name} failed unexpectedly; the log has the details.`);
    }
  };
};
