/**
 * The validator's checks of HTTP endpoints: a response node that no HTTP endpoint trigger
 * leads to (it could never answer), two endpoints of the package that would answer the same
 * requests, and endpoints open to anyone on the network (a warning: the safe default asks for
 * the site's token).
 */
import { compileEndpointPath, endpointPathProblem, FLOW_ENDPOINT_PREFIX } from './http-path';
import type { FlowProblemCode } from './problems';
import type { Flow } from './schema';
import { reachableFrom } from './validate-graph';

/** An HTTP endpoint one flow declares: what the duplicate check compares across the package. */
export interface DeclaredEndpoint {
  readonly flowId: string;
  readonly nodeId: string;
  readonly method: string;
  readonly path: string;
  /** The path with parameters written `:`; equal shapes answer the same requests. */
  readonly shape: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A node of an unchecked flow document whose config is an object. */
export interface DocumentNode {
  readonly flowId: string;
  readonly nodeId: string;
  readonly kind: unknown;
  readonly config: Record<string, unknown>;
}

/** Every node with an object config in the given flow documents, in order; anything malformed is skipped. */
export const documentNodes = function* (flows: readonly unknown[]): Generator<DocumentNode> {
  for (const flow of flows) {
    if (!isObject(flow) || !Array.isArray(flow.nodes)) continue;
    for (const node of flow.nodes as unknown[])
      if (isObject(node) && isObject(node.config))
        yield { flowId: String(flow.id), nodeId: String(node.id), kind: node.kind, config: node.config };
  }
};

/** The endpoints the given flow documents declare (anything that is not a well-formed endpoint is skipped). */
export const declaredEndpoints = (flows: readonly unknown[]): DeclaredEndpoint[] => {
  const out: DeclaredEndpoint[] = [];
  for (const { flowId, nodeId, kind, config } of documentNodes(flows)) {
    if (kind !== 'trigger.http') continue;
    const path = config.path;
    if (typeof path !== 'string' || endpointPathProblem(path)) continue;
    const method = typeof config.method === 'string' ? config.method : 'POST';
    out.push({ flowId, nodeId, method, path, shape: compileEndpointPath(path).shape });
  }
  return out;
};

type Add = (
  code: FlowProblemCode,
  message: string,
  hint: string,
  where: { nodeId: string; path?: string },
  severity?: 'error' | 'warning',
) => void;

/** Where a person gives a site its HTTP token: said by every problem about a missing one. */
export const SITE_TOKEN_FIX =
  'Set the site’s token in the app (Deploy view, pick the site, Gateway HTTP token) and deploy again';

/**
 * Adds the HTTP problems of `flow` (already schema-checked); `endpoints` are those of every
 * flow of the package, this one included (only this flow's when not given). Sites named in
 * `sitesWithoutToken` get a warning that the flow's token endpoints answer 503 there.
 */
export const checkHttpEndpoints = (
  flow: Flow,
  edges: Flow['edges'],
  placeholderStarts: readonly string[],
  endpoints: readonly DeclaredEndpoint[] | undefined,
  add: Add,
  sitesWithoutToken: readonly string[] = [],
): void => {
  const triggers = flow.nodes.filter((n) => n.kind === 'trigger.http');
  const responses = flow.nodes.filter((n) => n.kind === 'action.http-response');
  if (triggers.length === 0 && responses.length === 0) return;
  if (responses.length > 0) {
    // A placeholder may stand for a Node-RED `http in` that did not convert: no claim through it.
    const reached = reachableFrom({ ...flow, edges }, [...triggers.map((t) => t.id), ...placeholderStarts]);
    for (const response of responses) {
      if (!reached.has(response.id))
        add(
          'flow.response_without_request',
          'No HTTP endpoint trigger leads to this HTTP response, so it has no request to answer.',
          'Wire it after an HTTP endpoint trigger (on the same run’s path), or delete it.',
          { nodeId: response.id },
        );
    }
  }
  const all = endpoints ?? declaredEndpoints([flow]);
  const asking = triggers.filter((t) => t.config.auth !== 'open');
  if (asking.length > 0 && sitesWithoutToken.length > 0) {
    const sites =
      sitesWithoutToken.length === 1
        ? `Site "${sitesWithoutToken[0]}" names`
        : `Sites ${sitesWithoutToken.map((id) => `"${id}"`).join(', ')} name`;
    add(
      'flow.endpoint_without_token',
      `${sites} no HTTP token, so this flow’s endpoints that ask for it answer 503 there and never start the flow.`,
      `${SITE_TOKEN_FIX}, or set the endpoint open.`,
      { nodeId: asking[0]!.id, path: 'auth' },
      'warning',
    );
  }
  for (const trigger of triggers) {
    const own = all.find((e) => e.flowId === flow.id && e.nodeId === trigger.id);
    if (!own) continue;
    // The first of two is served (the engine's rule): the later one gets the problem.
    const other = all
      .slice(0, all.indexOf(own))
      .find((e) => e.method === own.method && e.shape === own.shape);
    if (other)
      add(
        'flow.duplicate_endpoint',
        `${own.method} ${FLOW_ENDPOINT_PREFIX}${own.path} is served already by ${other.flowId === flow.id ? `node ${other.nodeId} of this flow` : `flow "${other.flowId}"`} (${other.method} ${other.path}); a request could start only one of them.`,
        'Give each endpoint its own method or path.',
        { nodeId: trigger.id, path: 'path' },
      );
    if (trigger.config.auth === 'open')
      add(
        'flow.open_endpoint',
        `${own.method} ${FLOW_ENDPOINT_PREFIX}${own.path} is open: anyone who reaches the gateway’s HTTP port can start this flow.`,
        'Keep it open only on a network you trust; choose “token” to require the site’s HTTP token.',
        { nodeId: trigger.id, path: 'auth' },
        'warning',
      );
  }
};
