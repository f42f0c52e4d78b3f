import { Type, type Static } from '@sinclair/typebox';

/** A call from the browser client over the WebSocket. */
export const WireCall = Type.Object({
  t: Type.Literal('call'),
  id: Type.Integer({ minimum: 0 }),
  method: Type.String({ maxLength: 200 }),
  args: Type.Unknown(),
});
export type WireCall = Static<typeof WireCall>;

/** The reply to one call, always a Result. */
export interface WireResult {
  t: 'result';
  id: number;
  result: unknown;
}

/** An event pushed by the services. */
export interface WireEvent {
  t: 'event';
  event: string;
  payload: unknown;
}

/** Largest WebSocket message the server accepts, in bytes. */
export const MAX_WIRE_MESSAGE = 16 * 1024 * 1024;
