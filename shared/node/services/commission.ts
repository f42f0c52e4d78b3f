import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { FieldgraphServices } from '../../core/api';
import type { CommissionProfileArgs } from '../../core/api/areas/commission';
import { FieldgraphError } from '../../core/errors';
import type { CommissionProfile } from '../commission/profile';
import { ImprovClient } from '../protocols/improv-client';
import { CommissionQueue, type CommissionQueueOptions } from '../commission/queue';
import { reportCsv, reportHtml, reportPdf } from '../commission/report';
import { sharedSecretStore, type SecretStore } from '../secrets';
import { listSerialPorts } from '../serial/list';
import { openSerialLink, type SerialLink } from '../serial/port';
import { probeSerialPort } from '../serial/probe';
import { probeView } from '../commission/probe-view';
import type { ServiceContext, WithDispose } from './context';

/** Parts of the commissioning service that tests and other programs replace. */
export interface CommissionServiceDeps {
  /** Where `passwordSecret` references are resolved; default the encrypted file in dataDir. */
  readonly secrets?: SecretStore;
  /** Queue timing and commissioner (tests). */
  readonly queue?: Omit<CommissionQueueOptions, 'onProgress'>;
  /** Serial ports discovery already knows (the demo site's, paths added in Devices): listed too. */
  readonly knownPorts?: () => readonly string[];
}

/**
 * Why the OS port list failed, in words, with the raw reason at the end for whoever needs it;
 * the ports listed anyway come from /dev and the paths discovery knows.
 */
const listFailure = (raw: string): string =>
  /udevadm/.test(raw) && /ENOENT/.test(raw)
    ? `This computer has no udevadm, which lists USB serial adapters with their makers, so Fieldgraph looked in /dev and at the ports it already knows instead (${raw}).`
    : `The system's serial port list failed, so Fieldgraph looked in /dev and at the ports it already knows instead (${raw}).`;

/**
 * The `commission` area: serial port list and probe, commissioning runs with progress events,
 * the handover report, and the serial console. Passwords arrive typed or as secret references
 * and stay inside the run; no event, result or report carries them.
 */
export const createCommissionService = (
  ctx: ServiceContext,
  deps: CommissionServiceDeps = {},
): WithDispose<FieldgraphServices['commission']> => {
  let secrets = deps.secrets;
  const secretStore = (): SecretStore =>
    (secrets ??= ctx.secrets ?? sharedSecretStore(join(ctx.dataDir, 'secrets.json')));
  const queue = new CommissionQueue({
    ...deps.queue,
    onProgress: (run, job) =>
      ctx.hub.emit('onCommissionProgress', {
        runId: run.id,
        job,
        runStatus: run.status,
        ...(run.siteName ? { siteName: run.siteName } : {}),
      }),
  });
  const consoles = new Map<string, { link: SerialLink; flush: () => void }>();
  const log = ctx.log.child('commission');

  const secret = async (
    typed: string | undefined,
    ref: string | undefined,
    what: string,
  ): Promise<string | undefined> => {
    if (typed !== undefined && typed !== '') return typed;
    if (!ref) return undefined;
    const value = await secretStore().get(ref);
    if (value === undefined)
      throw new FieldgraphError(
        'commission.bad_profile',
        `The secret store has no ${what} under "${ref}": set it in the site profile.`,
      );
    return value;
  };

  const resolveProfile = async (args: Static<typeof CommissionProfileArgs>): Promise<CommissionProfile> => {
    const wifiPassword = await secret(args.wifi.password, args.wifi.passwordSecret, 'Wi-Fi password');
    if (wifiPassword === undefined)
      throw new FieldgraphError(
        'commission.bad_profile',
        `Enter the Wi-Fi password for "${args.wifi.ssid}".`,
      );
    const broker = args.broker;
    const brokerPassword = broker
      ? await secret(broker.password, broker.passwordSecret, 'broker password')
      : undefined;
    return {
      ...(args.siteId ? { siteId: args.siteId } : {}),
      ...(args.siteName ? { siteName: args.siteName } : {}),
      ...(args.installer ? { installer: args.installer } : {}),
      wifi: { ssid: args.wifi.ssid, password: wifiPassword },
      ...(broker
        ? {
            broker: {
              host: broker.host,
              port: broker.port,
              ...(broker.tls ? { tls: true } : {}),
              ...(broker.username ? { username: broker.username } : {}),
              ...(brokerPassword ? { password: brokerPassword } : {}),
            },
          }
        : {}),
    };
  };

  return {
    async dispose() {
      // Unfinished devices are cancelled (which releases their ports), open consoles closed.
      await Promise.all(queue.list().map((run) => queue.cancel(run.id).catch(() => {})));
      const open = [...consoles.values()];
      consoles.clear();
      await Promise.all(open.map((entry) => entry.link.close().catch(() => {})));
    },
    listPorts: async ({ extraPaths }) => {
      const known = deps.knownPorts?.() ?? [];
      const listing = await listSerialPorts([...new Set([...known, ...(extraPaths ?? [])])]);
      return {
        ports: listing.ports,
        ...(listing.systemListError ? { systemListError: listFailure(listing.systemListError) } : {}),
      };
    },
    probe: async ({ path, baudRate }) => probeView(await probeSerialPort(path, baudRate ? { baudRate } : {})),
    start: async ({ profile, devices }) => {
      const resolved = await resolveProfile(profile);
      const ports = devices.flatMap((d) => (d.target.kind === 'serial' ? [d.target.port] : []));
      const twice = ports.find((p, i) => ports.indexOf(p) !== i);
      if (twice)
        throw new FieldgraphError(
          'serial.port_busy',
          `${twice} is listed twice: one device per serial port.`,
          { path: twice },
        );
      const run = queue.start(
        resolved,
        devices.map((d) => ({
          target: d.target,
          assignment: {
            ...(d.name ? { name: d.name } : {}),
            ...(d.room ? { room: d.room } : {}),
            ...(d.topic ? { topic: d.topic } : {}),
          },
          ...(d.devicePassword ? { devicePassword: d.devicePassword } : {}),
        })),
        resolved,
      );
      log.info('commissioning run started', { runId: run.id, devices: devices.length });
      return run;
    },
    get: ({ runId }) => queue.get(runId),
    list: () => queue.list(),
    cancel: ({ runId, jobId }) => queue.cancel(runId, jobId),
    retry: async ({ runId, jobId, wifi }) => {
      if (!wifi) return queue.retry(runId, jobId);
      const password = await secret(wifi.password, wifi.passwordSecret, 'Wi-Fi password');
      if (password === undefined)
        throw new FieldgraphError('commission.bad_profile', `Enter the Wi-Fi password for "${wifi.ssid}".`);
      return queue.retry(runId, jobId, { ssid: wifi.ssid, password });
    },
    scan: async ({ path, baudRate }) => {
      const link = await openSerialLink(path, { baudRate: baudRate ?? 115200 });
      const client = new ImprovClient(link);
      try {
        return { networks: await client.scan(10_000) };
      } finally {
        client.dispose();
        await link.close().catch(() => {});
      }
    },
    report: async ({ runId, format }) => {
      const run = queue.get(runId);
      const base = `commissioning-${(run.siteName ?? run.siteId ?? 'site').replace(/[^A-Za-z0-9._-]+/g, '-')}-${run.startedAt.slice(0, 10)}`;
      if (format === 'html')
        return { filename: `${base}.html`, mediaType: 'text/html', text: reportHtml(run) };
      if (format === 'csv') return { filename: `${base}.csv`, mediaType: 'text/csv', text: reportCsv(run) };
      return {
        filename: `${base}.pdf`,
        mediaType: 'application/pdf',
        base64: Buffer.from(await reportPdf(run)).toString('base64'),
      };
    },
    consoleOpen: async ({ path, baudRate }) => {
      const link = await openSerialLink(path, { baudRate });
      const consoleId = randomUUID();
      const decoder = new TextDecoder();
      let pending = '';
      let timer: NodeJS.Timeout | undefined;
      // Batch output so a chatty device does not flood the UI with one event per byte.
      const flush = (): void => {
        timer = undefined;
        if (pending) ctx.hub.emit('onSerialConsoleOutput', { consoleId, text: pending });
        pending = '';
      };
      link.onData((bytes) => {
        pending += decoder.decode(bytes, { stream: true });
        if (pending.length > 16_384) flush();
        else timer ??= setTimeout(flush, 30);
      });
      link.onClose((info) => {
        if (timer) clearTimeout(timer);
        flush();
        consoles.delete(consoleId);
        ctx.hub.emit('onSerialConsoleClosed', { consoleId, reason: info.message });
      });
      consoles.set(consoleId, { link, flush });
      return { consoleId };
    },
    consoleSend: async ({ consoleId, line }) => {
      const entry = consoles.get(consoleId);
      if (!entry) throw new FieldgraphError('serial.not_open', 'That console is closed: open it again.');
      await entry.link.write(`${line.replace(/[\r\n]+/g, ' ')}\n`);
      return {};
    },
    consoleClose: async ({ consoleId }) => {
      const entry = consoles.get(consoleId);
      if (!entry) return {};
      await entry.link.close();
      consoles.delete(consoleId);
      return {};
    },
  };
};
