/**
 * The gateway's RPC endpoint, checked against the gateway protocol contract
 * (shared/core/gateway/methods.ts) the way the API dispatcher checks the UI's calls: a method
 * the contract does not name, arguments that break its schema, or — for a signed method — a
 * request that is unsigned, signed by an untrusted key, altered, stale or replayed is refused
 * with its own code before any handler runs. Every reply is signed by the gateway's identity.
 */
import { Value } from '@sinclair/typebox/value';
import { schemaProblems } from '../../core/schema-problems';
import { FieldgraphError, isErrorCode } from '../../core/errors';
import {
  NonceBook,
  RpcRequest,
  checkRequest,
  gatewayMethodSpec,
  gatewayTopics,
  rpcMethodOf,
  signReply,
  type GatewayAnswer,
  type GatewayArgs,
  type GatewayMethodName,
  type RpcReply,
} from '../../core/gateway';
import { parseJsonWithin } from '../../core/json/bounded';
import { decodeKey, fingerprint, type SigningKeyPair } from '../../core/package/keys';
import type { Logger } from '../log';
import type { MqttLink } from '../mqtt/link';

/** Who made a call, as the server established it. */
export interface RpcCaller {
  /** Fingerprint of the installer key that signed the request, when it was signed. */
  readonly signer?: string;
}

/** A handler for method `M`: gets checked arguments, returns the contract's answer or throws a FieldgraphError. */
export type RpcHandler<M extends GatewayMethodName> = (
  args: GatewayArgs<M>,
  caller: RpcCaller,
) => GatewayAnswer<M> | Promise<GatewayAnswer<M>>;

/** The gateway's RPC endpoint; other parts of the gateway (package install) add methods to it. */
export interface RpcServer {
  /** Adds or replaces the handler of a method the contract defines. */
  register<M extends GatewayMethodName>(method: M, handler: RpcHandler<M>): void;
  /** Names of the methods with a handler, sorted. */
  methods(): string[];
  /** Answers one request envelope as it arrived (an MQTT payload or an HTTP body), checked against the contract. */
  handle(method: string, body: Uint8Array | string): Promise<RpcReply>;
  /** Calls an unsigned method from inside the gateway (the HTTP status route); signed methods are refused. */
  call<M extends GatewayMethodName>(method: M, args: GatewayArgs<M>): Promise<GatewayAnswer<M>>;
  /** Stops listening. */
  close(): void;
}

/** What the RPC server needs besides the link. */
export interface RpcServerOptions {
  readonly gatewayId: string;
  /** The gateway's identity key, which signs every reply. */
  readonly identity: SigningKeyPair;
  /** Fingerprints of the installer keys trusted now (read per request, so enrolment applies at once). */
  readonly trusted: () => readonly string[];
  /** Requests signed before this moment are refused (the nonce book starts empty at each start). */
  readonly startedAt: number;
  readonly now?: () => number;
  /** Check answers against their schemas too (tests). */
  readonly checkResults?: boolean;
  readonly log: Logger;
}

/** Largest RPC request accepted, in bytes: arguments are small; packages travel on …/deploy. */
export const MAX_RPC_REQUEST = 256 * 1024;

const refuse = (code: ConstructorParameters<typeof FieldgraphError>[0], message: string, details?: unknown) =>
  new FieldgraphError(code, message, details);

/**
 * Serves RPC on `fieldgraph/v1/gw/<id>/rpc/<method>` (JSON `{"id","args","auth"}`); the reply on
 * `…/rpc/result` is `{"id","method","ok":true,"value"}` or `{"id","method","ok":false,"error"}`,
 * signed by the gateway's identity, so callers match replies by id and check who answered.
 * `link` may be undefined for a server used over HTTP only.
 */
export const startRpcServer = (link: MqttLink | undefined, options: RpcServerOptions): RpcServer => {
  const { gatewayId, log } = options;
  const topics = gatewayTopics(gatewayId);
  const handlers = new Map<string, RpcHandler<GatewayMethodName>>();
  const nonces = new NonceBook();
  const now = options.now ?? Date.now;

  const run = async (method: string, request: RpcRequest): Promise<unknown> => {
    const spec = gatewayMethodSpec(method);
    const handler = handlers.get(method);
    if (!spec || !handler) {
      throw refuse(
        'gateway.rpc_unknown_method',
        `The gateway has no RPC method "${method.slice(0, 100)}". Methods: ${[...handlers.keys()].sort().join(', ')}.`,
      );
    }
    const args = request.args ?? {};
    if (!Value.Check(spec.args, args)) {
      const problems = schemaProblems(spec.args, args);
      throw refuse(
        'gateway.rpc_bad_request',
        `The arguments for "${method}" are not valid: ${problems
          .slice(0, 3)
          .map((p) => `${p.path} ${p.message}`)
          .join('; ')}.`,
        { problems },
      );
    }
    let caller: RpcCaller = {};
    if (spec.signed) {
      const allowed = [...options.trusted()];
      // Pairing: the request may be signed by the very key it enrols (proof that the caller holds
      // it); the handler decides whether the pairing window allows that.
      if (spec.enrols && typeof (args as { publicKey?: unknown }).publicKey === 'string')
        allowed.push(fingerprint(decodeKey('ed25519', (args as { publicKey: string }).publicKey)));
      const signer = checkRequest({
        gatewayId,
        method,
        args,
        auth: request.auth,
        allowed,
        now: now(),
        notBefore: options.startedAt,
        nonces,
      });
      caller = { signer };
    }
    const value = await handler(args as never, caller);
    if (options.checkResults && !Value.Check(spec.result, value)) {
      throw refuse('internal', `"${method}" answered with a value that breaks its schema.`, {
        problems: schemaProblems(spec.result, value),
      });
    }
    return value;
  };

  const handle = async (method: string, body: Uint8Array | string): Promise<RpcReply> => {
    let id: RpcRequest['id'];
    const answer = (body: Omit<RpcReply, 'id' | 'method' | 'signature' | 'identity'>): RpcReply =>
      signReply(
        { ...(id !== undefined ? { id } : {}), method: method.slice(0, 100), ...body },
        gatewayId,
        options.identity,
      );
    try {
      if (body.length > MAX_RPC_REQUEST)
        throw refuse('gateway.too_large', `The request is larger than ${MAX_RPC_REQUEST} bytes.`);
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      const parsed = text.trim() === '' ? { ok: true as const, value: {} } : parseJsonWithin(text);
      if (!parsed.ok)
        throw refuse(
          'gateway.rpc_bad_request',
          `The request must be a JSON object like {"id":"1","args":{}}: ${parsed.problem.message}.`,
        );
      const raw = parsed.value as { id?: unknown };
      if (raw && typeof raw === 'object' && (typeof raw.id === 'string' || Number.isInteger(raw.id)))
        id = String(raw.id).length <= 100 ? (raw.id as RpcRequest['id']) : undefined;
      if (!Value.Check(RpcRequest, parsed.value)) {
        const first = schemaProblems(RpcRequest, parsed.value, 1)[0];
        throw refuse(
          'gateway.rpc_bad_request',
          `The request must be a JSON object like {"id":"1","args":{}}${first ? ` (${first.path} ${first.message})` : ''}.`,
        );
      }
      const value = await run(method, parsed.value);
      return answer({ ok: true, value });
    } catch (error) {
      if (error instanceof FieldgraphError && isErrorCode(error.code)) {
        if (error.code.startsWith('gateway.rpc_') && error.code !== 'gateway.rpc_unknown_method')
          log.warn('refused an RPC request', { method: method.slice(0, 100), code: error.code });
        return answer({ ok: false, error: { code: error.code, message: error.message } });
      }
      log.error('RPC method failed', { method, error: String(error) });
      return answer({
        ok: false,
        error: { code: 'internal', message: 'The gateway failed to answer; its log has the details.' },
      });
    }
  };

  const unsubscribe = link
    ? link.subscribe(
        topics.rpcRequests,
        (topic, payload) => {
          const method = rpcMethodOf(gatewayId, topic);
          if (method === undefined) return;
          void handle(method, payload).then((reply) =>
            link
              .publish(topics.rpcResult, JSON.stringify(reply))
              .catch((error: unknown) =>
                log.warn('could not publish an RPC reply', { error: String(error) }),
              ),
          );
        },
        1,
      )
    : () => {};

  return {
    register: (method, handler) => {
      if (!gatewayMethodSpec(method)) throw new Error(`"${method}" is not in the gateway protocol contract.`);
      handlers.set(method, handler as unknown as RpcHandler<GatewayMethodName>);
    },
    methods: () => [...handlers.keys()].sort(),
    handle,
    call: async (method, args) => {
      if (gatewayMethodSpec(method)?.signed)
        throw new Error(`"${method}" is signed; call it through handle() with a signed request.`);
      return (await run(method, { args: args as Record<string, unknown> })) as never;
    },
    close: unsubscribe,
  };
};
