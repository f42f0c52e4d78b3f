import { FieldgraphError } from '../../core/errors';
import type { Logger } from '../log';
import type { MqttLink } from '../mqtt/link';
import { gatewayTopics } from './topics';

/** An RPC method: takes the request's `args` object, returns plain JSON or throws a FieldgraphError. */
export type RpcHandler = (args: Record<string, unknown>) => unknown;

/** The gateway's MQTT RPC endpoint; other parts of the gateway (package install) add methods to it. */
export interface RpcServer {
  /** Adds or replaces a method. */
  register(method: string, handler: RpcHandler): void;
  /** Names of the methods, sorted. */
  methods(): string[];
  /** Answers one request (also used by the HTTP endpoint). */
  call(method: string, args: Record<string, unknown>): Promise<unknown>;
  /** Stops listening. */
  close(): void;
}

/**
 * The request on `fieldgraph/v1/gw/<id>/rpc/<method>` is JSON `{"id": "…", "args": {…}}` (both
 * optional); the reply on `…/rpc/result` is `{"id","method","ok":true,"value"}` or
 * `{"id","method","ok":false,"error":{"code","message"}}`, so callers match replies by id.
 */
export const startRpcServer = (link: MqttLink, gatewayId: string, log: Logger): RpcServer => {
  const topics = gatewayTopics(gatewayId);
  const handlers = new Map<string, RpcHandler>();

  const call = async (method: string, args: Record<string, unknown>): Promise<unknown> => {
    const handler = handlers.get(method);
    if (!handler) {
      throw new FieldgraphError(
        'gateway.rpc_unknown_method',
        `The gateway has no RPC method "${method}". Methods: ${[...handlers.keys()].sort().join(', ')}.`,
      );
    }
    return await handler(args);
  };

  const reply = (body: Record<string, unknown>): void => {
    link
      .publish(topics.rpcResult, JSON.stringify(body))
      .catch((error: unknown) => log.warn('could not publish an RPC reply', { error: String(error) }));
  };

  const unsubscribe = link.subscribe(
    topics.rpcRequests,
    (topic, payload) => {
      const method = topic.slice(topics.rpcPrefix.length);
      if (method === 'result') return;
      let request: { id?: unknown; args?: unknown } = {};
      try {
        if (payload.length) request = JSON.parse(payload.toString('utf8')) as typeof request;
        if (typeof request !== 'object' || request === null || Array.isArray(request))
          throw new Error('not an object');
      } catch {
        reply({
          method,
          ok: false,
          error: {
            code: 'gateway.rpc_bad_request',
            message: 'The request must be a JSON object like {"id":"1","args":{}}.',
          },
        });
        return;
      }
      const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : undefined;
      const args =
        request.args && typeof request.args === 'object' && !Array.isArray(request.args)
          ? (request.args as Record<string, unknown>)
          : {};
      call(method, args).then(
        (value) => reply({ id, method, ok: true, value }),
        (error: unknown) => {
          if (error instanceof FieldgraphError) {
            reply({ id, method, ok: false, error: { code: error.code, message: error.message } });
          } else {
            log.error('RPC method failed', { method, error: String(error) });
            reply({
              id,
              method,
              ok: false,
              error: { code: 'internal', message: 'The gateway failed to answer; its log has the details.' },
            });
          }
        },
      );
    },
    1,
  );

  return {
    register: (method, handler) => void handlers.set(method, handler),
    methods: () => [...handlers.keys()].sort(),
    call,
    close: unsubscribe,
  };
};
