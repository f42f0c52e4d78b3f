/**
 * HTTP requests that start runs, from the moment the gateway hands one over to its answer. An
 * exchange is bound to the run it started (also when that run waited in `queued` mode), so
 * an HTTP response node anywhere on the run's path answers it. Every exchange is answered
 * exactly once: by a response node, else by the run's end (204, 500 when it failed, 503 when
 * it was cancelled or dropped), else by its timeout (504), else when the flows stop (503). The
 * run's trace records which answer went out (`http` in the trace).
 */
import { checkPropertyValue, type HttpAnswer, type Message } from '../flow/catalog';
import type { HttpEndpointSpec } from '../flow/catalog/types';
import type { DeployedFlow, NodeInstance } from './deploy';
import type { EngineClock } from './ports';
import type { RunOutcome, RunTrace, TraceHttp } from './trace';

/** A request as the gateway read it: bounded, its body parsed by its content type. */
export interface HttpEndpointRequest {
  readonly method: string;
  /** The request path as sent (`/flows/hooks/door/7`). */
  readonly path: string;
  /** The path's decoded segments below `/flows`. */
  readonly segments: readonly string[];
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Every request header, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed body: JSON value, form fields, text, or undefined when there was none. */
  readonly body: unknown;
}

/** What serves a request: the endpoint and its trigger node, with the path's parameters. */
export interface HttpEndpointMatch {
  readonly flowId: string;
  readonly nodeId: string;
  readonly endpoint: HttpEndpointSpec;
  readonly params: Readonly<Record<string, string>>;
}

/** The answer to a lookup: the endpoint, or the methods the path takes, or nothing at that path. */
export type HttpLookup =
  { readonly found: HttpEndpointMatch } | { readonly allowed: readonly string[] } | undefined;

/** Two endpoints that would answer the same requests; the second is not served. */
export interface HttpEndpointClash {
  readonly flowId: string;
  readonly nodeId: string;
  readonly message: string;
}

interface Entry {
  readonly node: NodeInstance;
  readonly endpoint: HttpEndpointSpec;
}

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly nodeId: string;
  readonly reply: (answer: HttpAnswer) => void;
  readonly startedAt: number;
  timer: unknown;
  record?: TraceHttp;
  runId?: string;
}

/** Where a default answer comes from, by how the run ended. */
const endAnswer = (outcome: RunOutcome, reason: string | undefined): [number, string, string] => {
  switch (outcome) {
    case 'finished':
    case 'stopped':
      return [204, '', ''];
    case 'failed':
    case 'loop-limit':
      return [500, 'endpoint.run_failed', `The flow run failed before answering: ${reason ?? outcome}.`];
    default:
      return [
        503,
        'endpoint.unavailable',
        `The flow run ended ${outcome} before answering: ${reason ?? ''}`.trim(),
      ];
  }
};

/** A JSON error answer, as the gateway's other routes give them. */
export const errorAnswer = (status: number, code: string, message: string, headers = {}): HttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify({ ok: false, error: { code, message } }),
});

/** The engine's HTTP endpoints and open exchanges; FlowEngine owns one. */
export class HttpExchanges {
  #routes = new Map<string, Entry[]>();
  readonly #byMessage = new WeakMap<Message, Exchange>();
  readonly #byRun = new Map<string, Exchange>();
  readonly #open = new Set<Exchange>();
  #delivering: Exchange | undefined;

  constructor(private readonly clock: EngineClock) {}

  /** True when a deployed flow has an HTTP endpoint. */
  get any(): boolean {
    return this.#routes.size > 0;
  }

  /** Indexes the endpoints of `flows`; an endpoint with the method and path shape of an earlier one is left out and named. */
  index(flows: Iterable<DeployedFlow>): HttpEndpointClash[] {
    const routes = new Map<string, Entry[]>();
    const shapes = new Map<string, Entry>();
    const clashes: HttpEndpointClash[] = [];
    for (const flow of flows) {
      for (const node of flow.triggers) {
        const t = node.runtime.trigger;
        if (t?.type !== 'http') continue;
        const key = `${t.endpoint.method} ${t.endpoint.path.shape}`;
        const first = shapes.get(key);
        if (first) {
          clashes.push({
            flowId: flow.id,
            nodeId: node.id,
            message: `${t.endpoint.method} ${t.endpoint.path.path} is served already by node ${first.node.id} of flow ${first.node.flow.id}; this endpoint is not served.`,
          });
          continue;
        }
        const entry = { node, endpoint: t.endpoint };
        shapes.set(key, entry);
        const list = routes.get(t.endpoint.method) ?? [];
        list.push(entry);
        routes.set(t.endpoint.method, list);
      }
    }
    for (const list of routes.values())
      list.sort((a, b) => b.endpoint.path.specificity - a.endpoint.path.specificity);
    this.#routes = routes;
    return clashes;
  }

  /** The endpoint serving `method` at `segments`, else the methods that path takes, else undefined. */
  lookup(method: string, segments: readonly string[]): HttpLookup {
    for (const entry of this.#routes.get(method) ?? []) {
      const params = entry.endpoint.path.match(segments);
      if (params)
        return {
          found: { flowId: entry.node.flow.id, nodeId: entry.node.id, endpoint: entry.endpoint, params },
        };
    }
    const allowed = [...this.#routes].filter(([, list]) => list.some((e) => e.endpoint.path.match(segments)));
    return allowed.length ? { allowed: allowed.map(([m]) => m).sort() } : undefined;
  }

  /** The trigger node of a match, while it is deployed. */
  nodeOf(match: HttpEndpointMatch): NodeInstance | undefined {
    return this.#routes
      .get(match.endpoint.method)
      ?.find((e) => e.node.id === match.nodeId && e.node.flow.id === match.flowId)?.node;
  }

  /**
   * The first message of the run a request starts, and its exchange: `payload` is the body
   * (the query for a GET without one), `msg.req` the request. Throws an Error naming the bound
   * when `msg.req` would be larger than a message property may be.
   */
  open(match: HttpEndpointMatch, request: HttpEndpointRequest, reply: (answer: HttpAnswer) => void): Message {
    const headers: Record<string, string> = {};
    for (const name of match.endpoint.headers) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const req = {
      method: request.method,
      path: request.path,
      params: match.params,
      query: request.query,
      headers,
    };
    checkPropertyValue('req', req);
    const payload =
      request.body === undefined ? (request.method === 'GET' ? request.query : null) : request.body;
    const message: Message = { payload, properties: { req } };
    const exchange: Exchange = {
      method: request.method,
      path: request.path,
      nodeId: match.nodeId,
      reply,
      startedAt: this.clock.now(),
      timer: undefined,
    };
    exchange.timer = this.clock.setTimer(
      () =>
        this.#answer(
          exchange,
          errorAnswer(
            504,
            'endpoint.timeout',
            `The flow did not answer within ${match.endpoint.timeoutMs / 1000} s (the endpoint's timeout).`,
          ),
          'timeout',
        ),
      match.endpoint.timeoutMs,
    );
    this.#open.add(exchange);
    this.#byMessage.set(message, exchange);
    this.#delivering = exchange;
    return message;
  }

  /** Ends the delivery `open` began; an exchange whose run was dropped by the run mode was answered by then. */
  delivered(): void {
    this.#delivering = undefined;
  }

  /** A run started from `message`: binds it to the request the message came from. */
  started(runId: string, message: Message): void {
    const exchange = this.#byMessage.get(message);
    if (!exchange) return;
    exchange.runId = runId;
    this.#byRun.set(runId, exchange);
  }

  /** Answers the request of run `runId`; undefined when sent, else why it was not. */
  respond(runId: string, answer: HttpAnswer): string | undefined {
    const exchange = this.#byRun.get(runId);
    if (!exchange)
      return 'No HTTP request started this run: only a run started by an HTTP endpoint trigger can be answered.';
    if (exchange.record)
      return `The request was answered already (${exchange.record.status}, ${exchange.record.answeredBy === 'timeout' ? 'after its timeout' : 'by an earlier HTTP response'}).`;
    this.#answer(exchange, answer, 'node');
    return undefined;
  }

  /** A run's trace is final: a request still unanswered gets the run's default answer, and the trace says what went out. */
  ended(trace: RunTrace): void {
    if (trace.trigger.kind !== 'trigger.http') return;
    let exchange = this.#byRun.get(trace.runId);
    if (
      !exchange &&
      trace.outcome === 'dropped-by-mode' &&
      this.#delivering?.nodeId === trace.trigger.nodeId
    ) {
      exchange = this.#delivering;
      exchange.runId = trace.runId;
    }
    if (!exchange) return;
    this.#byRun.delete(trace.runId);
    if (!exchange.record) {
      const [status, code, message] = endAnswer(trace.outcome, trace.reason ?? trace.error?.message);
      const answer =
        status === 204
          ? { status, headers: {}, body: '' }
          : errorAnswer(
              status,
              code,
              message,
              trace.outcome === 'dropped-by-mode' ? { 'retry-after': '1' } : {},
            );
      this.#answer(exchange, answer, trace.outcome === 'dropped-by-mode' ? 'busy' : 'run-end');
    }
    if (exchange.record) trace.http = exchange.record;
  }

  /** The flows stop: every request still open is answered 503. */
  stop(): void {
    for (const exchange of [...this.#open])
      this.#answer(
        exchange,
        errorAnswer(
          503,
          'endpoint.unavailable',
          'The gateway stopped its flows before the request was answered.',
        ),
        'stopped',
      );
    this.#byRun.clear();
  }

  #answer(exchange: Exchange, answer: HttpAnswer, by: TraceHttp['answeredBy']): void {
    if (exchange.record) return;
    this.clock.clearTimer(exchange.timer);
    this.#open.delete(exchange);
    const at = this.clock.now();
    exchange.record = {
      method: exchange.method,
      path: exchange.path,
      status: answer.status,
      answeredBy: by,
      at,
    };
    exchange.reply(
      exchange.runId
        ? { ...answer, headers: { ...answer.headers, 'x-fieldgraph-run': exchange.runId } }
        : answer,
    );
  }
}
