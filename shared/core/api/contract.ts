import type { Static, TSchema } from '@sinclair/typebox';
import type { Result } from '../result';

/** One API method described as data: its argument and result schemas and what it does. */
export interface MethodSpec<A extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly args: A;
  readonly result: R;
  readonly doc: string;
}

/** One event the services push to the UI, with its payload schema. */
export interface EventSpec<P extends TSchema = TSchema> {
  readonly payload: P;
  readonly doc: string;
}

/** Declares a method; arguments are always an object so they can grow without breaking callers. */
export const defineMethod = <A extends TSchema, R extends TSchema>(
  args: A,
  result: R,
  doc: string,
): MethodSpec<A, R> => ({ args, result, doc });

/** Declares an event. */
export const defineEvent = <P extends TSchema>(payload: P, doc: string): EventSpec<P> => ({ payload, doc });

/** Methods of one area, keyed by verb. */
export type AreaSpec = Record<string, MethodSpec>;

/** The whole contract shape: areas of methods, plus events keyed `onX`. */
export type ContractSpec = Record<string, AreaSpec>;
export type EventsSpec = Record<string, EventSpec>;

/** `area.verb` names of a contract. */
export type MethodNameOf<C extends ContractSpec> = {
  [A in keyof C & string]: `${A}.${keyof C[A] & string}`;
}[keyof C & string];

type SpecAt<C extends ContractSpec, N extends string> = N extends `${infer A}.${infer V}`
  ? A extends keyof C
    ? V extends keyof C[A]
      ? C[A][V]
      : never
    : never
  : never;

/** Argument type of method `N`. */
export type ArgsOf<C extends ContractSpec, N extends string> = Static<SpecAt<C, N>['args']>;
/** Result value type of method `N`. */
export type ValueOf<C extends ContractSpec, N extends string> = Static<SpecAt<C, N>['result']>;

/** The interface the UI calls: one function per method, plus one subscribe function per event. */
export type ClientOf<C extends ContractSpec, E extends EventsSpec> = {
  readonly [A in keyof C]: {
    readonly [V in keyof C[A]]: (args: Static<C[A][V]['args']>) => Promise<Result<Static<C[A][V]['result']>>>;
  };
} & {
  readonly events: {
    readonly [K in keyof E]: (
      listener: (payload: E[K] extends EventSpec<infer P> ? Static<P> : never) => void,
    ) => () => void;
  };
};

/** Who is calling, as the transport established it. */
export interface CallContext {
  readonly transport: 'ipc' | 'websocket' | 'direct';
}

/** What the services implement: plain async functions that return values or throw FieldgraphError. */
export type ServicesOf<C extends ContractSpec> = {
  readonly [A in keyof C]: {
    readonly [V in keyof C[A]]: (
      args: Static<C[A][V]['args']>,
      context: CallContext,
    ) => Promise<Static<C[A][V]['result']>> | Static<C[A][V]['result']>;
  };
};
