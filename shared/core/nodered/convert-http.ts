/**
 * Node-RED's `http in` and `http response` nodes become an HTTP endpoint trigger and an HTTP
 * response action. What Node-RED puts on the message matches: `payload` is the body (the
 * query for a GET), `msg.req.params` and `msg.req.query` the path's parameters and the query.
 * Function code that works on `msg.req`/`msg.res` directly (Express's objects) stays a
 * placeholder: those objects do not exist on a Fieldgraph message.
 */
import { responseHeaderProblem } from '../flow/catalog/http-endpoint';
import { endpointPathProblem, FLOW_ENDPOINT_PREFIX } from '../flow/http-path';
import { single, text, type Conversion, type Note, type RedNode } from './types';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);

/** An `http in` node: its method and URL (with :params) as an endpoint that asks for the site's token. */
export const httpIn = (n: RedNode, note: Note): Conversion => {
  const method = text(n.method).toUpperCase() || 'GET';
  if (!METHODS.has(method)) return { reason: `Its method ${method} is not one an HTTP endpoint takes.` };
  if (n.upload === true)
    return {
      reason: 'It accepts file uploads (multipart/form-data), which an HTTP endpoint does not take apart.',
    };
  let path = text(n.url).trim();
  if (!path.startsWith('/')) path = `/${path}`;
  // Node-RED's router is not strict: /a/ and /a answer the same requests.
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const problem = endpointPathProblem(path);
  if (problem) return { reason: `Its URL cannot be an endpoint path: ${problem}.` };
  note(
    'changed',
    `It is served at ${FLOW_ENDPOINT_PREFIX}${path} on the gateway’s HTTP port and needs the site’s HTTP token (Authorization: Bearer …) unless it is set open; msg.req carries method, path, params, query and only the headers chosen on the trigger (none yet), not cookies or the raw request.`,
  );
  return single('trigger.http', { method, path, auth: 'token' });
};

/** An `http response` node: its status code (else msg.statusCode, else 200) and its headers. */
export const httpResponse = (n: RedNode, note: Note): Conversion => {
  const fixed = text(n.statusCode).trim();
  const status = Number(fixed);
  if (fixed !== '' && !(Number.isInteger(status) && status >= 100 && status <= 599))
    return { reason: `Its status code "${fixed.slice(0, 20)}" is not an HTTP status.` };
  const headers: Record<string, string> = {};
  const given =
    typeof n.headers === 'object' && n.headers !== null ? (n.headers as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(given)) {
    const problem = responseHeaderProblem(name, text(value));
    if (problem) note('unsupported', `The header was left out: ${problem}.`);
    else headers[name] = text(value);
  }
  note(
    'changed',
    'Headers the message carries (msg.headers) and cookies (msg.cookies) are not sent; only the headers set on the node are.',
  );
  return single('action.http-response', {
    ...(fixed === '' ? { statusFrom: 'has(msg.statusCode) ? int(msg.statusCode) : 200' } : { status }),
    headers,
    body: 'payload',
  });
};

// `msg.res` / `msg.req` as JavaScript reads them, with the member read from msg.req if any.
const HTTP_RESPONSE = /\bmsg\s*(?:\.\s*res\b|\[\s*["']res["']\s*\])/;
const HTTP_REQUEST =
  /\bmsg\s*(?:\.\s*req\b|\[\s*["']req["']\s*\])\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*["']([^"']*)["']\s*\])?/g;
// What msg.req holds here as Node-RED's does: the path's parameters, the query and the method.
const SAME_ON_BOTH = new Set(['params', 'query', 'method']);

/**
 * Why a function node's code stays a placeholder for its use of Node-RED's HTTP objects, or
 * undefined: any use of msg.res (Express's response), and reads of msg.req beyond params,
 * query and method (headers, body, cookies, the raw request), which a request here does not
 * carry the same way.
 */
export const httpObjectsInCode = (n: RedNode): string | undefined => {
  const code = text(n.func);
  if (HTTP_RESPONSE.test(code))
    return 'It uses msg.res, Node-RED’s HTTP response object; an HTTP response node answers the request here.';
  for (const match of code.matchAll(HTTP_REQUEST)) {
    const member = match[1] ?? match[2];
    if (member === undefined || !SAME_ON_BOTH.has(member))
      return `It reads msg.req${member ? `.${member}` : ''}, Node-RED’s HTTP request object; here msg.req carries only params, query, method, path and the headers chosen on the trigger.`;
  }
  return undefined;
};
