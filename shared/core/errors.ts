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
  not_implemented: 'This feature has not landed yet.',
  // web app
  'web.port_in_use': 'The port for the web app is already taken.',
  // project files
  'project.not_found': 'The project folder or file does not exist.',
  'project.invalid': 'A project file does not match its schema.',
  'project.read_only': 'The project was written by a newer Fieldgraph and is open read-only.',
  'project.write_failed': 'Saving failed; the previous file was kept.',
  'project.not_open': 'No project is open.',
  'project.already_exists': 'The folder already holds a project.',
  'project.unsaved_changes': 'The open project has unsaved changes.',
  'project.malformed_json': 'A project file is not valid JSON.',
  'project.file_too_large': 'A project file is larger than the size limit and was not loaded.',
  'project.symlink_outside': 'A project file or folder is a symbolic link pointing outside the project.',
  'project.unreadable_file': 'A project file cannot be read.',
  'project.not_writable': 'Fieldgraph has no write permission in the project folder.',
  'project.newer_version': 'The project uses a newer format version; it opens read-only.',
  'project.id_mismatch': "A document's id does not match its file name.",
  'project.bad_document_id': 'A document id cannot be used as a file name.',
  'project.secret_in_file': 'A secret value was found where only a secret reference may be.',
  'project.bad_secret_ref': 'A secret reference is malformed.',
  'project.no_recovery': 'There is no autosaved work to restore.',
  // secret store
  'secrets.locked': 'The secret store is locked: no passphrase was given.',
  'secrets.wrong_passphrase': 'The passphrase does not unlock the secrets file.',
  'secrets.damaged': 'The secrets file is damaged or not a Fieldgraph secrets file.',
  'secrets.insecure_backend':
    'The OS offers no secure storage (only a plain-text fallback); secrets are refused.',
  'secrets.unavailable': 'The OS secure storage is not available.',
  'secrets.bad_ref': 'A secret reference name is malformed.',
  // packages (.fgpkg): one code per reason an installer refuses a package
  'package.invalid_input': 'The project cannot be packed as given (bad path, version or dates).',
  'package.corrupt': 'The package file is damaged or not a zip.',
  'package.invalid_manifest': 'manifest.json or manifest.sig is missing or does not match its schema.',
  'package.unsigned': 'The package has no signature.',
  'package.untrusted_key': 'The package is signed by a key the gateway does not trust.',
  'package.revoked_key': 'The package is signed by a revoked key.',
  'package.bad_signature': 'The manifest does not match its signature.',
  'package.hash_mismatch': 'A file does not match the SHA-256 in the manifest.',
  'package.length_mismatch': 'A file is not the length the manifest says.',
  'package.missing_file': 'A file listed in the manifest is missing.',
  'package.unexpected_file': 'The package holds a file its manifest does not list.',
  'package.mix_and_match': 'The manifest and the files come from different package versions.',
  'package.downgrade': 'The package is not newer than the installed version.',
  'package.expired': 'The package has expired.',
  'package.wrong_target': 'The package is for another gateway or group.',
  'package.engine_incompatible': 'The package needs an engine version this gateway does not run.',
  'package.unsafe_path': 'An entry path could escape the install folder (../, absolute, not a regular file).',
  'package.symlink_entry': 'An entry is a symbolic link.',
  'package.zip_bomb':
    'The archive exceeds the size, ratio or entry limits, or inflates past its declared size.',
  'package.secrets_unreadable': 'The sealed secrets cannot be opened with this gateway key.',
  // signing keys and trust
  'keys.invalid': 'A key file or key text is not a Fieldgraph key of the expected kind.',
  'keys.not_found': 'The key file does not exist.',
  'keys.exists': 'A key file is already there; it was not overwritten.',
  'keys.bad_rotation': 'A key rotation statement is not signed by a trusted key.',
  'keys.pairing_closed': 'The gateway is not accepting pairing requests right now.',
  // deploying packages
  'deploy.invalid_target': 'The deploy target is incomplete or not understood.',
  'deploy.unreachable': 'The target (broker, gateway, storage) could not be reached.',
  'deploy.timeout': 'The target did not report a result in time.',
  'deploy.rejected': 'The target refused the package; the details name its reason code.',
  'deploy.upload_failed': 'The upload was not accepted (HTTP status or storage error).',
  'deploy.readback_failed': 'The copy written to the target does not read back identical.',
  'deploy.secret_missing':
    'A secret the site refers to is not in the secret store; store it and deploy again.',
  'deploy.gateway_key_unknown':
    'The site uses secrets, but the key of the one gateway to seal them to is not known for this target.',
  'deploy.gateway_key_mismatch':
    'The gateway announces a key whose fingerprint differs from the one the site file records.',
  // installing packages on a gateway
  'install.health_check_failed':
    'The new version did not pass its health check; the previous version was restored.',
  'install.start_failed': 'The new version could not be started; the previous version was restored.',
  'install.nothing_to_roll_back': 'There is no previous version to roll back to.',
  'install.unauthorized': 'The package upload did not carry the gateway deploy token.',
  'install.failed': 'Installing failed on the gateway (disk or I/O); the running version was kept.',
  // serial ports
  'serial.open_failed': 'The serial port could not be opened (missing, no permission, or not a serial port).',
  'serial.port_busy': 'The serial port is already in use (another run, the console, or another program).',
  'serial.disconnected': 'The serial port went away (unplugged) or was closed during an operation.',
  'serial.not_open': 'No console is open with that id.',
  // commissioning
  'commission.no_answer': 'The device did not answer in time.',
  'commission.protocol_error':
    'The device sent something that does not follow the protocol (corrupt frames).',
  'commission.wifi_rejected': 'The device could not join the Wi-Fi network with the given name and password.',
  'commission.invalid_value': 'A value cannot be sent to the device (forbidden character or too long).',
  'commission.device_error': 'The device reported an error.',
  'commission.auth_failed': 'The device refused the password.',
  'commission.broker_timeout': 'The device did not come online on the MQTT broker in time.',
  'commission.unsupported': 'The device does not support this commissioning step or protocol.',
  'commission.cancelled': 'The commissioning run was cancelled.',
  'commission.run_not_found': 'No commissioning run with that id.',
  'commission.bad_profile': 'The site profile is incomplete (Wi-Fi name, password or broker missing).',
  // gateway runtime and its broker
  'broker.port_in_use': 'The embedded broker cannot listen: its port is already taken.',
  'broker.unreachable': 'The gateway could not connect to the site MQTT broker.',
  'gateway.invalid_options': 'The gateway was started with options that cannot work together.',
  'gateway.project_unreadable': 'The project folder given to the gateway could not be read as flows.',
  'gateway.rpc_unknown_method': 'The gateway has no RPC method of that name.',
  'gateway.rpc_bad_request': 'An RPC request to the gateway was not JSON or its arguments were wrong.',
  'gateway.rpc_unsigned':
    'The RPC method needs a request signed by a trusted installer key, and it was not signed.',
  'gateway.rpc_untrusted_key': 'The RPC request is signed by a key the gateway does not trust.',
  'gateway.rpc_bad_signature':
    'The RPC request does not match its signature (altered, or signed for another gateway).',
  'gateway.rpc_stale':
    'The signed RPC request is too old or from the future (check both clocks), or predates the gateway start.',
  'gateway.rpc_replayed': 'The signed RPC request was already received once; each is accepted once.',
  'gateway.identity_changed':
    'The gateway answers with an identity other than the one pinned at pairing; re-pair after checking both fingerprints.',
  'gateway.not_paired': 'The app has not pinned this gateway identity yet; pair with it first.',
  'gateway.unsigned_status':
    'The gateway status is not signed by the identity it names (forged or from an old gateway).',
  'gateway.too_large': 'A message, upload or file for the gateway is larger than the size cap.',
  'gateway.secret_unavailable':
    'A device needs a secret the installed package does not carry, or whose seal does not open on this gateway.',
  'gateway.device_auth_failed':
    'A device refused the login the site gives for it (user and sealed password).',
  // HTTP endpoints of flows (served by the gateway below /flows)
  'endpoint.not_found': 'No flow running on the gateway serves this path.',
  'endpoint.method_not_allowed': 'A flow serves this path, but not with this method.',
  'endpoint.unauthorized':
    'The endpoint needs the site’s HTTP token (Authorization: Bearer …), and it was missing or wrong.',
  'endpoint.bad_request':
    'The request cannot start the flow: its body, path or query is malformed or too large.',
  'endpoint.unsupported_type': 'The request body has a content type an endpoint does not take (multipart).',
  'endpoint.too_many_headers': 'The request has more headers than an endpoint takes.',
  'endpoint.busy': 'The gateway has as many open flow requests as it takes; retry shortly.',
  'endpoint.unavailable':
    'The endpoint cannot answer now: its run was dropped or cancelled, the flows stopped, or the gateway lacks the site’s HTTP token.',
  'endpoint.run_failed': 'The flow run started by the request failed before answering it.',
  'endpoint.timeout': 'The flow did not answer the request within the endpoint’s timeout.',
  // the gateway panel (served by the gateway at /panel)
  'panel.not_found': 'The gateway’s flows put nothing on the panel, or no control has that name.',
  'panel.unauthorized':
    'The panel needs the site’s HTTP token (Authorization: Bearer …), and it was missing or wrong.',
  'panel.unavailable':
    'The panel cannot be used now: the site names no HTTP token (or the package does not carry it), or the flows stopped.',
  'panel.bad_request':
    'A press is malformed, too large, or its value does not fit the control (not a switch’s on or off, out of a slider’s range…).',
  'panel.unsupported_type': 'A press is sent as JSON (Content-Type: application/json).',
  'panel.too_many_presses': 'A control was pressed more often than it takes in a second; retry shortly.',
  'panel.busy': 'The gateway has as many live panel pages open as it takes; close one or retry shortly.',
  // discovery and the demo site
  'discovery.broker_unreachable': 'Discovery could not connect to the MQTT broker it was given.',
  'discovery.not_running': 'The discovery source needed for this request is not running.',
  'discovery.bad_interface': 'An mDNS interface address is not an IPv4 address of this machine.',
  'demo.already_running': 'The demo site is already running.',
  'demo.failed': 'The demo site could not start; the message says which part failed.',
  // the MQTT inspector
  'inspector.broker_unreachable': 'The inspector could not connect to the MQTT broker it was given.',
  'inspector.no_broker': 'No broker was named and discovery listens to none.',
  'inspector.not_running': 'The inspector is not connected to a broker.',
  'inspector.bad_topic': 'The topic cannot be published to (empty, a wildcard, or too long).',
  'inspector.publish_failed': 'The broker did not accept the message.',
  // try-it mode, live streams and traces of running gateways
  'live.unreachable': 'The broker or HTTP endpoint of the gateway could not be reached.',
  'live.timeout': 'The gateway did not answer in time.',
  'live.rejected': 'The gateway refused the request or answered something that cannot be read.',
  'live.unsupported': 'The request cannot be made over this connection (HTTP serves traces only).',
  'live.busy': 'Try it is starting or stopping.',
  'live.bad_design': 'The design sent to try it is not made of flow and site documents.',
  'live.try_failed': 'The try-it gateway could not start; the message says what it reported.',
  // the device page
  'device.not_found': 'No device with that id is in the discovery list.',
  'device.not_open': "The device's page is not open.",
  'device.control_failed': 'The device could not be read or controlled as its model prescribes.',
  // device-model library and WoT
  'library.not_found': 'No capability or device model has that id.',
  'library.invalid': 'A capability, device model or Thing Description has problems; details lists them.',
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
