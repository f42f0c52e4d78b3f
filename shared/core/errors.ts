/**
 * The one catalog of error codes. Every failure that crosses a boundary (API, CLI JSON,
 * gateway RPC) carries one of these codes, so the UI can explain it and logs keep it.
 * Areas add their codes here, grouped by area, each with what it means.
 */
export const errorCatalog = {
  // transport and contract
  'api.unknown_method': 'The method is not part of the API contract.',
  'api.invalid_arguments': 'The arguments do not match the method schema.',
  'api.invalid_result': 'A service returned a value that does not match the method result schema.',
  'api.forbidden': 'The caller is not allowed to use the API (wrong frame, origin or token).',
  'api.unauthorized': 'No valid token or session cookie was presented.',
  'api.disconnected': 'The connection to the Fieldgraph service dropped before the call finished.',
  'api.timeout': 'The call did not finish in time.',
  'api.bad_message': 'A message on the API channel could not be parsed.',
  internal: 'An unexpected error inside Fieldgraph; the log has the details.',
  'not_implemented': 'This feature has not landed yet.',
  // web app
  'web.port_in_use': 'The port for the web app is already taken.',
  // project files
  'project.not_found': 'The project folder or file does not exist.',
  'project.invalid': 'A project file does not match its schema.',
  'project.read_only': 'The project was written by a newer Fieldgraph and is open read-only.',
  'project.write_failed': 'Saving failed; the previous file was kept.',
  'project.not_open': 'No project is open.',
  // gateway runtime and its broker
  'broker.port_in_use': 'The embedded broker cannot listen: its port is already taken.',
  'broker.unreachable': 'The gateway could not connect to the site MQTT broker.',
  'gateway.invalid_options': 'The gateway was started with options that cannot work together.',
  'gateway.project_unreadable': 'The project folder given to the gateway could not be read as flows.',
  'gateway.rpc_unknown_method': 'The gateway has no RPC method of that name.',
  'gateway.rpc_bad_request': 'An RPC request to the gateway was not JSON or its arguments were wrong.',
} as const;

/** A code from the catalog. */
export type ErrorCode = keyof typeof errorCatalog;

/** True when `code` is in the catalog. */
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(errorCatalog, code);

/** An error a service throws on purpose; the dispatcher turns it into a failed Result. */
export class FieldgraphError extends Error {
  override readonly name = 'FieldgraphError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
