import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FieldgraphError } from '../../shared/core/errors';
import { brokerTlsFromFiles, splitBrokerUrl } from '../../shared/node/deploy/broker';
import { httpGatewayTarget } from '../../shared/node/deploy/http';
import { mqttGatewayTarget, mqttGroupTarget, type BrokerOptions } from '../../shared/node/deploy/mqtt';
import { s3Target } from '../../shared/node/deploy/s3';
import type { DeployTarget } from '../../shared/node/deploy/target';
import { usbTarget } from '../../shared/node/deploy/usb';
import { UsageError, type Command } from '../command';

/** `fieldgraph deploy`: deliver a package to a gateway, a fleet, the cloud or a folder. */
export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Send a .fgpkg to a gateway, a fleet group, cloud storage or a USB folder',
  usage: `Usage: fieldgraph deploy FILE TARGET [--json] [--timeout SECONDS]

Targets (exactly one):
  --mqtt URL --gateway ID      one gateway through its broker; waits for its install result
  --mqtt URL --group G         retained for every gateway of group G
        [--expect N | --expect ID …]  wait for N gateways (or these ids) to report
  --http URL                   a gateway's HTTP endpoint; token from --token, FIELDGRAPH_DEPLOY_TOKEN or FIELDGRAPH_GATEWAY_TOKEN
  --usb DIR                    write to a folder or drive, read back and verify, with a README
  --s3-url URL                 PUT to an S3-compatible presigned URL

MQTT over TLS (mqtts://): --ca FILE --cert FILE --key FILE (client certificate and its key,
PEM; --cert-key is the same as --key, as in keys rotate).
Broker credentials come from the URL or FIELDGRAPH_BROKER_USERNAME / FIELDGRAPH_BROKER_PASSWORD.
Exit 0 when delivered (and installed, for gateways); 1 otherwise.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        mqtt: { type: 'string' },
        gateway: { type: 'string' },
        group: { type: 'string' },
        expect: { type: 'string', multiple: true },
        http: { type: 'string' },
        token: { type: 'string' },
        usb: { type: 'string' },
        's3-url': { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'cert-key': { type: 'string' },
        timeout: { type: 'string', default: '60' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('Give exactly one package file.');
    const chosen = [values.mqtt, values.http, values.usb, values['s3-url']].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError('Give exactly one target: --mqtt, --http, --usb or --s3-url.');
    const timeoutMs = Number(values.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of seconds.');
    let target: DeployTarget;
    if (values.mqtt) {
      if (!URL.canParse(values.mqtt))
        throw new UsageError(
          `--mqtt must be a URL like mqtt://192.168.1.10:1883, not ${JSON.stringify(values.mqtt)}.`,
        );
      let connection: ReturnType<typeof splitBrokerUrl>;
      let tls: ReturnType<typeof brokerTlsFromFiles>;
      try {
        connection = splitBrokerUrl(values.mqtt);
        tls = brokerTlsFromFiles({
          ca: { flag: '--ca', path: values.ca },
          cert: { flag: '--cert', path: values.cert },
          key: { flag: values['cert-key'] ? '--cert-key' : '--key', path: values['cert-key'] ?? values.key },
        });
      } catch (error) {
        if (error instanceof FieldgraphError) throw new UsageError(error.message);
        throw error;
      }
      const { brokerUrl, username, password } = connection;
      const broker: BrokerOptions = {
        url: brokerUrl,
        username: username || process.env.FIELDGRAPH_BROKER_USERNAME || undefined,
        password: password || process.env.FIELDGRAPH_BROKER_PASSWORD || undefined,
        ...(tls ? { tls } : {}),
      };
      if (Boolean(values.gateway) === Boolean(values.group))
        throw new UsageError('With --mqtt give exactly one of --gateway ID or --group G.');
      if (values.gateway) target = mqttGatewayTarget(broker, values.gateway);
      else {
        const expect = values.expect ?? [];
        const count = expect.length === 1 && /^\d+$/.test(expect[0]!) ? Number(expect[0]) : undefined;
        target = mqttGroupTarget(broker, values.group!, count ?? expect);
      }
    } else if (values.http) {
      const token =
        values.token ?? process.env.FIELDGRAPH_DEPLOY_TOKEN ?? process.env.FIELDGRAPH_GATEWAY_TOKEN;
      if (!token)
        throw new UsageError('The gateway needs its deploy token: --token T or FIELDGRAPH_DEPLOY_TOKEN.');
      target = httpGatewayTarget(values.http, token, values.gateway);
    } else if (values.usb) {
      target = usbTarget(resolve(values.usb));
    } else {
      target = s3Target(values['s3-url']!);
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(positionals[0]!));
    } catch {
      console.error(`Cannot read ${positionals[0]}.`);
      return 1;
    }
    try {
      const outcome = await target.deliver(bytes, {
        timeoutMs,
        onProgress: (p) => {
          if (!values.json)
            console.error(
              `${p.gateway ? `[${p.gateway}] ` : ''}${p.step}${p.message ? `: ${p.message}` : ''}`,
            );
        },
      });
      if (values.json) console.log(JSON.stringify(outcome));
      else {
        for (const g of outcome.gateways) {
          console.log(
            `${g.gateway}: ${g.ok ? 'ok' : 'FAILED'} (${g.step}${g.code ? ` ${g.code}` : ''}), running version ${g.running ?? 'none'}${g.message ? ` — ${g.message}` : ''}`,
          );
        }
        console.log(
          outcome.ok
            ? `Delivered to ${outcome.target}. ${outcome.message ?? ''}`.trim()
            : `Not installed everywhere: ${outcome.target}.`,
        );
      }
      return outcome.ok ? 0 : 1;
    } catch (error) {
      if (error instanceof FieldgraphError) {
        if (values.json) console.log(JSON.stringify({ ok: false, code: error.code, message: error.message }));
        else console.error(`${error.code}: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
