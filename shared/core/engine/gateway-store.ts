/**
 * The engine's gateway-wide variables (`global.name`): one store for every flow deployed on the
 * engine, bounded, persisted in the snapshot, and on a new deploy keeping only the names the
 * deployed flows still set.
 */
import { fitsPropertyBounds } from '../flow/catalog/message';
import { GATEWAY_VARIABLE_LIMITS } from '../flow/gateway-variables';

/** Throws an Error naming the variable and the bound when `store[name] = value` would pass the limits. */
export const checkGatewayVariable = (
  store: Readonly<Record<string, unknown>>,
  name: string,
  value: unknown,
): void => {
  if (!fitsPropertyBounds(value))
    throw new Error(
      `global.${name} would be too large or too deeply nested (at most ${GATEWAY_VARIABLE_LIMITS.chars} characters as JSON and ${GATEWAY_VARIABLE_LIMITS.depth} levels); keep large data in the payload.`,
    );
  if (!Object.hasOwn(store, name) && Object.keys(store).length >= GATEWAY_VARIABLE_LIMITS.count)
    throw new Error(
      `A gateway holds at most ${GATEWAY_VARIABLE_LIMITS.count} gateway-wide variables; global.${name} would be one more.`,
    );
};

/**
 * The gateway-wide variables to start with: the saved values of the names the deployed flows
 * set (`declared`); a name the new package no longer sets is dropped.
 */
export const restoredGatewayVariables = (
  saved: Readonly<Record<string, unknown>> | undefined,
  declared: ReadonlySet<string>,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(saved ?? {})) if (declared.has(name)) out[name] = value;
  return out;
};
