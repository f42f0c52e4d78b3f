/**
 * Paths of flow HTTP endpoints (`/hooks/door/:id`): what a path may look like, how a request
 * path matches one and which two endpoints of a package would answer the same requests. The
 * gateway serves every flow endpoint under FLOW_ENDPOINT_PREFIX, so no flow can shadow its own
 * status and RPC routes.
 */

/** The methods an HTTP endpoint trigger can take. */
export const HTTP_ENDPOINT_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
/** One of HTTP_ENDPOINT_METHODS. */
export type HttpEndpointMethod = (typeof HTTP_ENDPOINT_METHODS)[number];

/** Where the gateway serves flow endpoints: `/hooks/door` is reached at `/flows/hooks/door`. */
export const FLOW_ENDPOINT_PREFIX = '/flows';

const MAX_PATH = 256;
const MAX_SEGMENTS = 16;
// Unreserved URL characters only, so a path means the same thing encoded or not.
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^:[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/**
 * Why `path` cannot be an endpoint path, or undefined when it can: it starts with `/`, has at
 * most 16 segments of letters, digits and `. _ ~ -`, or `:name` parameters (each name once),
 * and no wildcards, regular expressions or empty segments.
 */
export const endpointPathProblem = (path: string): string | undefined => {
  if (!path.startsWith('/')) return `"${path.slice(0, 60)}" does not start with "/" (e.g. /hooks/door)`;
  if (path.length > MAX_PATH) return `the path is ${path.length} characters; at most ${MAX_PATH}`;
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  if (segments.length > MAX_SEGMENTS)
    return `the path has ${segments.length} segments; at most ${MAX_SEGMENTS}`;
  const names = new Set<string>();
  for (const segment of segments) {
    if (segment === '') return `"${path}" has an empty segment ("//" or a trailing "/")`;
    if (segment.startsWith(':')) {
      if (!PARAM.test(segment))
        return `"${segment}" is not a parameter name (":" then a letter or _, letters, digits or _)`;
      if (names.has(segment)) return `the parameter ${segment} appears twice`;
      names.add(segment);
    } else if (/[*?()+]/.test(segment)) {
      return `"${segment}" is a wildcard or pattern; an endpoint path takes plain segments and :parameters`;
    } else if (!LITERAL.test(segment)) {
      return `"${segment}" has characters a path segment cannot have here (use letters, digits, . _ ~ -)`;
    }
  }
  return undefined;
};

/** A checked endpoint path, ready to match request paths. */
export interface EndpointPath {
  readonly path: string;
  /** The path with every parameter written `:`: two endpoints with the same shape answer the same requests. */
  readonly shape: string;
  /** Literal segments count more than parameters, so `/door/open` wins over `/door/:id`. */
  readonly specificity: number;
  /** The parameters of `requestPath` (decoded), or undefined when it does not match. */
  match(requestSegments: readonly string[]): Record<string, string> | undefined;
}

/** Compiles a path `endpointPathProblem` accepts; throws with that problem otherwise. */
export const compileEndpointPath = (path: string): EndpointPath => {
  const problem = endpointPathProblem(path);
  if (problem) throw new Error(`The endpoint path is not usable: ${problem}.`);
  const segments = path === '/' ? [] : path.slice(1).split('/');
  return {
    path,
    shape: `/${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`,
    specificity: segments.filter((s) => !s.startsWith(':')).length,
    match(request) {
      if (request.length !== segments.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const own = segments[i]!;
        if (own.startsWith(':')) params[own.slice(1)] = request[i]!;
        else if (own !== request[i]) return undefined;
      }
      return params;
    },
  };
};

/**
 * The decoded segments of a request path below FLOW_ENDPOINT_PREFIX (`/flows/hooks/door/7` →
 * `['hooks', 'door', '7']`; one trailing `/` is ignored, as Node-RED's router does), or a
 * problem when the path is not under the prefix or a segment is not valid percent-encoding.
 */
export const requestSegments = (
  pathname: string,
): { ok: true; segments: string[] } | { ok: false; problem: string } => {
  if (pathname !== FLOW_ENDPOINT_PREFIX && !pathname.startsWith(`${FLOW_ENDPOINT_PREFIX}/`))
    return { ok: false, problem: `${pathname.slice(0, 80)} is not below ${FLOW_ENDPOINT_PREFIX}/` };
  let rest = pathname.slice(FLOW_ENDPOINT_PREFIX.length + 1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest === '') return { ok: true, segments: [] };
  try {
    return { ok: true, segments: rest.split('/').map((s) => decodeURIComponent(s)) };
  } catch {
    return { ok: false, problem: `the path ${pathname.slice(0, 80)} is not valid percent-encoding` };
  }
};
