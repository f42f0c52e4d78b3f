import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { FieldgraphError } from '../../shared/core/errors';
import { Site } from '../../shared/core/model/schemas';
import type { CommissionProfile } from '../../shared/node/commission/profile';
import { applyNamingScheme } from '../../shared/node/commission/profile';
import {
  CommissionQueue,
  type CommissionJobSpec,
  type CommissionJobState,
} from '../../shared/node/commission/queue';
import { reportCsv, reportHtml, reportPdf } from '../../shared/node/commission/report';
import type { SerialProtocol } from '../../shared/node/commission/serial-device';
import { defaultDataDir } from '../../shared/node/paths';
import { createEncryptedFileSecretStore, type SecretStore } from '../../shared/node/secrets';
import { listSerialPorts } from '../../shared/node/serial/list';
import { UsageError, type Command } from '../command';

const env = (name: string | undefined, what: string): string | undefined => {
  if (!name) return undefined;
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new UsageError(`The environment variable ${name} (${what}) is not set.`);
  return value;
};

const brokerFromUrl = (
  text: string,
  password: string | undefined,
): NonNullable<CommissionProfile['broker']> => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--broker must be a URL like mqtt://192.168.1.10:1883, not ${JSON.stringify(text)}.`,
    );
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:')
    throw new UsageError(`--broker must start with mqtt:// or mqtts://, not ${url.protocol}//.`);
  if (url.password)
    throw new UsageError('Do not put the broker password in --broker; use --broker-password-env VAR.');
  const tls = url.protocol === 'mqtts:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : tls ? 8883 : 1883,
    ...(tls ? { tls } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(password ? { password } : {}),
  };
};

interface SiteFacts {
  readonly profile: CommissionProfile;
  readonly scheme?: string;
  readonly rooms: ReadonlyMap<string, string>;
}

const readSite = async (
  file: string,
  wifiPassword: string | undefined,
  brokerPassword: string | undefined,
  secrets: () => SecretStore,
): Promise<SiteFacts> => {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read the site file ${file}: ${(error as Error).message}`);
  }
  if (!Value.Check(Site, data)) {
    const first = [...Value.Errors(Site, data)][0];
    throw new UsageError(
      `${file} is not a site file: ${first ? `${first.path || '/'} ${first.message}` : 'schema mismatch'}.`,
    );
  }
  const site = data;
  if (!site.wifi) throw new UsageError(`The site ${site.id} has no Wi-Fi profile; add one or use --ssid.`);
  const fromStore = async (
    ref: { secret: string } | undefined,
    what: string,
  ): Promise<string | undefined> => {
    if (!ref) return undefined;
    const value = await secrets().get(ref.secret);
    if (value === undefined)
      throw new FieldgraphError(
        'commission.bad_profile',
        `The secrets file has no ${what} "${ref.secret}"; set it, or pass it with an environment variable.`,
      );
    return value;
  };
  const password = wifiPassword ?? (await fromStore(site.wifi.password, 'Wi-Fi password'));
  if (password === undefined)
    throw new UsageError(`The site has no Wi-Fi password reference; pass --password-env VAR.`);
  const broker = site.broker;
  const bPassword = broker
    ? (brokerPassword ?? (await fromStore(broker.password, 'broker password')))
    : undefined;
  return {
    profile: {
      siteId: site.id,
      siteName: site.name,
      wifi: { ssid: site.wifi.ssid, password },
      ...(broker
        ? {
            broker: {
              host: broker.host,
              port: broker.port,
              ...(broker.tls ? { tls: true } : {}),
              ...(broker.username ? { username: broker.username } : {}),
              ...(bPassword ? { password: bPassword } : {}),
            },
          }
        : {}),
    },
    ...(site.naming?.scheme ? { scheme: site.naming.scheme } : {}),
    rooms: new Map(site.rooms.map((r) => [r.id, r.name])),
  };
};

const jsonResult = (job: CommissionJobState): Record<string, unknown> => {
  const d = job.device ?? {};
  return {
    result: job.status === 'provisioned' ? 'provisioned' : 'failed',
    code: job.status === 'provisioned' ? null : (job.error?.code ?? 'commission.cancelled'),
    ...(job.error ? { message: job.error.message } : {}),
    port: job.target.kind === 'serial' ? job.target.port : job.target.url,
    device: {
      firmware: d.firmware ?? null,
      version: d.version ?? null,
      chip: d.chip ?? null,
      name: d.name ?? job.name ?? null,
      url: d.url ?? null,
    },
  };
};

/** `fieldgraph commission`: put devices on the site's Wi-Fi and broker over serial or Shelly RPC. */
export const commissionCommand: Command = {
  name: 'commission',
  summary: 'Put devices on the site Wi-Fi and broker (Improv, Tasmota console, Shelly RPC)',
  usage: `Usage: fieldgraph commission (--port PATH... | --all | --shelly URL...)
                            (--site SITE_FILE | --ssid SSID --password-env VAR [--broker URL])
                            [--name NAME] [--room ROOM] [--json] [--report FILE] [options]

Commissions every given device at once: on a serial port it speaks Improv Wi-Fi, or the
Tasmota console when Improv does not answer; a Shelly Gen2+ is configured over HTTP RPC.
Exit code 0 only when every device is provisioned.

  --port PATH            serial port of a device (repeat for several)
  --all                  every USB serial port found (OS list, /dev/ttyUSB*, /dev/ttyACM*)
  --shelly URL           a Shelly Gen2+ (e.g. http://192.168.33.1 on its access point)
  --site FILE            site JSON (sites/<id>.json): Wi-Fi, broker, naming scheme, rooms;
                         passwords come from the secrets file (FIELDGRAPH_SECRETS_PASSPHRASE)
                         unless --password-env / --broker-password-env give them
  --ssid SSID            Wi-Fi name (without --site)
  --password-env VAR     environment variable holding the Wi-Fi password
  --broker URL           mqtt://[user@]host[:port] or mqtts://…
  --broker-password-env VAR   environment variable holding the broker password
  --device-password-env VAR   environment variable holding the Shelly login password
  --name NAME            device name (numbered -1, -2… for several devices)
  --room ROOM            room id or name
  --installer NAME       who commissioned (for the report)
  --baud N               serial baud rate (default 115200)
  --protocol P           auto (default), improv or tasmota
  --timeout SECONDS      how long to wait for a device to join and come online (default 60)
  --report FILE          write the handover report (.html, .csv or .pdf)
  --json                 print {"result","code","device":{firmware,version,chip,name,url}}`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        shelly: { type: 'string', multiple: true },
        site: { type: 'string' },
        ssid: { type: 'string' },
        'password-env': { type: 'string' },
        broker: { type: 'string' },
        'broker-password-env': { type: 'string' },
        'device-password-env': { type: 'string' },
        name: { type: 'string' },
        room: { type: 'string' },
        installer: { type: 'string' },
        baud: { type: 'string' },
        protocol: { type: 'string', default: 'auto' },
        timeout: { type: 'string', default: '60' },
        report: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const baudRate = values.baud === undefined ? undefined : Number(values.baud);
    if (baudRate !== undefined && (!Number.isInteger(baudRate) || baudRate < 300))
      throw new UsageError(`--baud must be a whole number like 115200, not ${JSON.stringify(values.baud)}.`);
    const protocol = values.protocol as SerialProtocol;
    if (!['auto', 'improv', 'tasmota'].includes(protocol))
      throw new UsageError('--protocol must be auto, improv or tasmota.');
    const timeoutMs = Number(values.timeout) * 1000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new UsageError('--timeout must be a positive number of seconds.');
    if (values.report && !['.html', '.csv', '.pdf'].includes(extname(values.report).toLowerCase()))
      throw new UsageError('--report must end in .html, .csv or .pdf.');
    if (values.site && values.ssid) throw new UsageError('Give either --site or --ssid, not both.');
    if (!values.site && !values.ssid)
      throw new UsageError('Give the network: --site SITE_FILE, or --ssid SSID --password-env VAR.');

    const wifiPassword = env(values['password-env'], 'Wi-Fi password');
    const brokerPassword = env(values['broker-password-env'], 'broker password');
    const devicePassword = env(values['device-password-env'], 'Shelly password');
    let secrets: SecretStore | undefined;
    const secretStore = (): SecretStore =>
      (secrets ??= createEncryptedFileSecretStore({ path: join(defaultDataDir(), 'secrets.json') }));
    let facts: SiteFacts;
    if (values.site) facts = await readSite(values.site, wifiPassword, brokerPassword, secretStore);
    else {
      if (wifiPassword === undefined)
        throw new UsageError(
          '--ssid needs --password-env VAR naming the variable that holds the Wi-Fi password.',
        );
      facts = {
        profile: {
          wifi: { ssid: values.ssid as string, password: wifiPassword },
          ...(values.broker ? { broker: brokerFromUrl(values.broker, brokerPassword) } : {}),
        },
        rooms: new Map(),
      };
    }
    const profile: CommissionProfile = {
      ...facts.profile,
      ...(values.installer ? { installer: values.installer } : {}),
    };

    const ports = [...(values.port ?? [])];
    if (values.all) {
      const listing = await listSerialPorts();
      // USB serial only: built-in UARTs (/dev/ttyS*) are listed by the OS but never a device on the bench.
      const usb = listing.ports.filter(
        (p) => p.vendorId || /tty(USB|ACM)\d+$|cu\.(usb|wch|SLAB)/i.test(p.path),
      );
      for (const p of usb) if (!ports.includes(p.path)) ports.push(p.path);
      if (!ports.length && !values.shelly?.length) {
        console.error(
          `No serial devices found${listing.systemListError ? ` (the OS list failed: ${listing.systemListError})` : ''}. Plug one in, or give --port PATH.`,
        );
        return 1;
      }
    }
    const shellies = values.shelly ?? [];
    if (!ports.length && !shellies.length)
      throw new UsageError('Give at least one device: --port PATH, --all, or --shelly URL.');
    const twice = ports.find((p, i) => ports.indexOf(p) !== i);
    if (twice) throw new UsageError(`${twice} is given twice: one device per serial port.`);

    // A room id of the site file is shown by its name in the report.
    const room = values.room ? (facts.rooms.get(values.room) ?? values.room) : undefined;
    const count = ports.length + shellies.length;
    const nameFor = (n: number): string | undefined => {
      if (values.name) return count > 1 ? `${values.name}-${n}` : values.name;
      if (facts.scheme)
        return applyNamingScheme(facts.scheme, { room: values.room, n, capability: 'device' }) || undefined;
      return undefined;
    };
    const specs: CommissionJobSpec[] = [
      ...ports.map((port) => ({
        target: { kind: 'serial' as const, port, ...(baudRate ? { baudRate } : {}), protocol },
        assignment: {},
      })),
      ...shellies.map((url) => ({
        target: { kind: 'shelly' as const, url },
        assignment: {},
        ...(devicePassword ? { devicePassword } : {}),
      })),
    ].map((spec, i) => {
      const name = nameFor(i + 1);
      return { ...spec, assignment: { ...(name ? { name } : {}), ...(room ? { room } : {}) } };
    });

    const queue = new CommissionQueue({
      serial: { provisionTimeoutMs: timeoutMs, tasmota: { onlineTimeoutMs: timeoutMs } },
      shelly: { onlineTimeoutMs: timeoutMs },
      onProgress: (_run, job) => {
        if (values.json) return;
        const where = job.target.kind === 'serial' ? job.target.port : job.target.url;
        if (job.status === 'running' && job.step) console.error(`${where}: ${job.step}`);
        if (job.status === 'provisioned')
          console.error(`${where}: provisioned${job.device?.url ? ` → ${job.device.url}` : ''}`);
        if (job.status === 'failed')
          console.error(`${where}: FAILED (${job.error?.code}) ${job.error?.message}`);
      },
    });
    const run = queue.start(profile, specs, profile);
    const stop = (): void => void queue.cancel(run.id);
    process.once('SIGINT', stop);
    const done = await queue.wait(run.id).finally(() => process.off('SIGINT', stop));

    if (values.report) {
      const file = resolve(values.report);
      const ext = extname(file).toLowerCase();
      if (ext === '.pdf') writeFileSync(file, await reportPdf(done));
      else writeFileSync(file, ext === '.csv' ? reportCsv(done) : reportHtml(done));
      if (!values.json) console.error(`Report written to ${file}`);
    }
    const ok = done.jobs.every((j) => j.status === 'provisioned');
    if (values.json) {
      const results = done.jobs.map(jsonResult);
      const out =
        results.length === 1
          ? results[0]
          : {
              result: ok ? 'provisioned' : 'failed',
              code: ok ? null : (done.jobs.find((j) => j.status !== 'provisioned')?.error?.code ?? null),
              devices: results,
            };
      console.log(JSON.stringify(out));
    }
    return ok ? 0 : 1;
  },
};
