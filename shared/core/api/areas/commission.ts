import { Type } from '@sinclair/typebox';
import { defineEvent, defineMethod } from '../contract';

const Opt = Type.Optional;

/** A serial port as the commissioning wizard lists it. */
export const SerialPortInfo = Type.Object({
  path: Type.String(),
  source: Type.Union([Type.Literal('system'), Type.Literal('scan'), Type.Literal('user')]),
  vendorId: Opt(Type.String()),
  productId: Opt(Type.String()),
  manufacturer: Opt(Type.String()),
  serialNumber: Opt(Type.String()),
  pnpId: Opt(Type.String()),
  chip: Opt(
    Type.Object({
      chip: Type.String(),
      vendor: Type.String(),
      nativeUsb: Type.Boolean(),
      note: Opt(Type.String()),
    }),
  ),
});

/** Where a device to commission is reached: a serial port, or a Shelly's HTTP address. */
export const CommissionTarget = Type.Union([
  Type.Object({
    kind: Type.Literal('serial'),
    port: Type.String({ minLength: 1, maxLength: 4096 }),
    baudRate: Opt(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
    protocol: Opt(Type.Union([Type.Literal('auto'), Type.Literal('improv'), Type.Literal('tasmota')])),
  }),
  Type.Object({
    kind: Type.Literal('shelly'),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
  }),
]);

/** What commissioning learned about a device (shown in results, report and CLI JSON). */
export const CommissionedDeviceInfo = Type.Object({
  firmware: Opt(Type.String()),
  version: Opt(Type.String()),
  chip: Opt(Type.String()),
  name: Opt(Type.String()),
  url: Opt(Type.String()),
  mac: Opt(Type.String()),
  ip: Opt(Type.String()),
  model: Opt(Type.String()),
  topic: Opt(Type.String()),
});

/** One device in a run: target, assignment, status, steps, result or failure. Never holds a secret. */
export const CommissionJob = Type.Object({
  id: Type.String(),
  target: CommissionTarget,
  name: Opt(Type.String()),
  room: Opt(Type.String()),
  topic: Opt(Type.String()),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('provisioned'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
  ]),
  step: Opt(Type.String()),
  steps: Type.Array(Type.Object({ name: Type.String(), detail: Opt(Type.String()), at: Type.String() })),
  attempts: Type.Integer({ minimum: 0 }),
  startedAt: Opt(Type.String()),
  finishedAt: Opt(Type.String()),
  durationMs: Opt(Type.Number()),
  device: Opt(CommissionedDeviceInfo),
  error: Opt(Type.Object({ code: Type.String(), message: Type.String() })),
});

/** A commissioning run: many devices at once for one site. */
export const CommissionRun = Type.Object({
  id: Type.String(),
  siteId: Opt(Type.String()),
  siteName: Opt(Type.String()),
  installer: Opt(Type.String()),
  startedAt: Type.String(),
  finishedAt: Opt(Type.String()),
  status: Type.Union([Type.Literal('running'), Type.Literal('finished')]),
  jobs: Type.Array(CommissionJob),
});

/** The site profile the wizard sends. Passwords are typed by the installer or named in the secret store. */
export const CommissionProfileArgs = Type.Object({
  siteId: Opt(Type.String({ maxLength: 200 })),
  siteName: Opt(Type.String({ maxLength: 200 })),
  installer: Opt(Type.String({ maxLength: 200 })),
  wifi: Type.Object({
    ssid: Type.String({ minLength: 1, maxLength: 32 }),
    password: Opt(Type.String({ maxLength: 256 })),
    passwordSecret: Opt(Type.String({ maxLength: 200 })),
  }),
  broker: Opt(
    Type.Object({
      host: Type.String({ minLength: 1, maxLength: 253 }),
      port: Type.Integer({ minimum: 1, maximum: 65535 }),
      tls: Opt(Type.Boolean()),
      username: Opt(Type.String({ maxLength: 200 })),
      password: Opt(Type.String({ maxLength: 256 })),
      passwordSecret: Opt(Type.String({ maxLength: 200 })),
    }),
  ),
});

/** One device to commission, with its name, room and (Shelly) device password. */
export const CommissionDeviceArgs = Type.Object({
  target: CommissionTarget,
  name: Opt(Type.String({ maxLength: 200 })),
  room: Opt(Type.String({ maxLength: 200 })),
  topic: Opt(Type.String({ maxLength: 300 })),
  devicePassword: Opt(Type.String({ maxLength: 256 })),
});

/** A report file produced for download: text for HTML/CSV, base64 for PDF. */
export const CommissionReportFile = Type.Object({
  filename: Type.String(),
  mediaType: Type.String(),
  text: Opt(Type.String()),
  base64: Opt(Type.String()),
});

/** What answered on a serial port. */
export const SerialProbe = Type.Object({
  kind: Type.Union([Type.Literal('improv'), Type.Literal('tasmota'), Type.Literal('unknown')]),
  path: Type.String(),
  summary: Type.String(),
  firmware: Opt(Type.String()),
  version: Opt(Type.String()),
  chip: Opt(Type.String()),
  name: Opt(Type.String()),
  url: Opt(Type.String()),
  provisioned: Opt(Type.Boolean()),
});

/** One Wi-Fi network a device sees (Improv scan), strongest first. */
export const WifiNetwork = Type.Object({
  ssid: Type.String(),
  rssi: Type.Integer(),
  secured: Type.Boolean(),
});

const RunRef = Type.Object({ runId: Type.String({ maxLength: 100 }) });

/** The `commission` area: serial ports, commissioning runs, the report, and the serial console. */
export const commissionMethods = {
  listPorts: defineMethod(
    Type.Object({ extraPaths: Opt(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 64 })) }),
    Type.Object({ ports: Type.Array(SerialPortInfo), systemListError: Opt(Type.String()) }),
    'Serial ports: the OS list, /dev/ttyUSB* and /dev/ttyACM*, and paths the user added.',
  ),
  probe: defineMethod(
    Type.Object({
      path: Type.String({ minLength: 1, maxLength: 4096 }),
      baudRate: Opt(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
    }),
    SerialProbe,
    'Asks what is on a serial port (Improv, Tasmota console, or unknown) without resetting the board.',
  ),
  scan: defineMethod(
    Type.Object({
      path: Type.String({ minLength: 1, maxLength: 4096 }),
      baudRate: Opt(Type.Integer({ minimum: 300, maximum: 4_000_000 })),
    }),
    Type.Object({ networks: Type.Array(WifiNetwork) }),
    'Asks an Improv device which Wi-Fi networks it sees (hidden ones left out, each name once).',
  ),
  start: defineMethod(
    Type.Object({
      profile: CommissionProfileArgs,
      devices: Type.Array(CommissionDeviceArgs, { minItems: 1, maxItems: 200 }),
    }),
    CommissionRun,
    'Starts commissioning every device at once; progress arrives as onCommissionProgress events.',
  ),
  get: defineMethod(RunRef, CommissionRun, 'The current state of a run.'),
  list: defineMethod(Type.Object({}), Type.Array(CommissionRun), 'Runs of this session, newest first.'),
  cancel: defineMethod(
    Type.Object({ runId: Type.String({ maxLength: 100 }), jobId: Opt(Type.String({ maxLength: 100 })) }),
    CommissionRun,
    'Cancels one device, or every unfinished device of the run; their ports are released.',
  ),
  retry: defineMethod(
    Type.Object({
      runId: Type.String({ maxLength: 100 }),
      jobId: Type.String({ maxLength: 100 }),
      wifi: Opt(
        Type.Object({
          ssid: Type.String({ minLength: 1, maxLength: 32 }),
          password: Opt(Type.String({ maxLength: 256 })),
          passwordSecret: Opt(Type.String({ maxLength: 200 })),
        }),
      ),
    }),
    CommissionRun,
    'Runs a failed or cancelled device again; with wifi, the run uses that network and password from now on (a wrong password is typed again, not resent).',
  ),
  report: defineMethod(
    Type.Object({
      runId: Type.String({ maxLength: 100 }),
      format: Type.Union([Type.Literal('html'), Type.Literal('csv'), Type.Literal('pdf')]),
    }),
    CommissionReportFile,
    'The handover report of a run as HTML, CSV or PDF.',
  ),
  consoleOpen: defineMethod(
    Type.Object({
      path: Type.String({ minLength: 1, maxLength: 4096 }),
      baudRate: Type.Integer({ minimum: 300, maximum: 4_000_000 }),
    }),
    Type.Object({ consoleId: Type.String() }),
    'Opens a serial console (without resetting the board); output arrives as onSerialConsoleOutput.',
  ),
  consoleSend: defineMethod(
    Type.Object({ consoleId: Type.String({ maxLength: 100 }), line: Type.String({ maxLength: 2000 }) }),
    Type.Object({}),
    'Sends one line (a newline is added) to an open console.',
  ),
  consoleClose: defineMethod(
    Type.Object({ consoleId: Type.String({ maxLength: 100 }) }),
    Type.Object({}),
    'Closes a console and releases the port.',
  ),
};

/** Commissioning events. */
export const commissionEvents = {
  onCommissionProgress: defineEvent(
    Type.Object({
      runId: Type.String(),
      job: CommissionJob,
      runStatus: Type.Union([Type.Literal('running'), Type.Literal('finished')]),
      siteName: Opt(Type.String()),
    }),
    'A device of a run moved to a new step or finished.',
  ),
  onSerialConsoleOutput: defineEvent(
    Type.Object({ consoleId: Type.String(), text: Type.String() }),
    'Text received on an open serial console (device text: render as text, never as HTML).',
  ),
  onSerialConsoleClosed: defineEvent(
    Type.Object({ consoleId: Type.String(), reason: Type.String() }),
    'A serial console closed (by the user, or the device was unplugged).',
  ),
};
