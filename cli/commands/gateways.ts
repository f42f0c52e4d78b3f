import { parseArgs } from 'node:util';
import { summarizeGateway, type GatewaySummary } from '../../shared/core/gateway';
import { FieldgraphError } from '../../shared/core/errors';
import { withGatewayClient } from '../../shared/node/deploy/gateway-client';
import { UsageError, type Command } from '../command';

const row = (g: GatewaySummary & { signed: boolean }): string => {
  const state = g.online ? '● online ' : '○ offline';
  const pkg = g.package ? `${g.package.id} v${g.package.version}` : 'no package';
  const flows = `${g.flows.running} flows${g.flows.failed ? `, ${g.flows.failed} failed` : ''}`;
  const devices = `devices ${g.devices.online} up / ${g.devices.offline} down`;
  const deploy = g.lastDeploy
    ? `last deploy ${g.lastDeploy.ok ? 'ok' : `FAILED (${g.lastDeploy.code ?? g.lastDeploy.step})`} ${g.lastDeploy.at}`
    : 'never deployed';
  return `${state}  ${g.id.padEnd(20)} engine ${(g.engine ?? '?').padEnd(8)} ${pkg.padEnd(26)} ${flows.padEnd(20)} ${devices.padEnd(24)} ${deploy}${g.signed ? '' : '  (status not signed by its identity)'}`;
};

/** `fieldgraph gateways`: every gateway with a retained status on the site broker, and its health. */
export const gatewaysCommand: Command = {
  name: 'gateways',
  summary:
    'List the gateways on a site broker with their health (online, package, flows, devices, last deploy)',
  usage: `Usage: fieldgraph gateways --mqtt URL [--wait SECONDS] [--json]

Reads every gateway's retained status on the site broker (fieldgraph/v1/gw/+/status): whether it
is online (a gateway that vanished is offline through its Last Will), the engine it runs, the
installed package, its flows running and failed, the devices its flows use online and offline,
and how its last install or rollback ended.

  --mqtt URL       the site broker, mqtt://host:port (credentials in the URL stay local)
  --wait SECONDS   how long to collect retained statuses (default 1)
  --json           print {"gateways":[{"id","online","engine","package":{"id","version"}|null,
                   "flows":{"running","failed"},"devices":{"online","offline"},"lastDeploy":{…}|null}]}`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        mqtt: { type: 'string' },
        wait: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
      },
    });
    if (!values.mqtt)
      throw new UsageError('Say which broker the gateways are on with --mqtt mqtt://host:port.');
    if (!/^(mqtts?|wss?|tcp):\/\//.test(values.mqtt))
      throw new UsageError(
        `--mqtt must be a broker URL like mqtt://127.0.0.1:1883, not ${JSON.stringify(values.mqtt)}.`,
      );
    const wait = Number(values.wait);
    if (!Number.isFinite(wait) || wait <= 0 || wait > 60)
      throw new UsageError(
        `--wait takes a number of seconds from 0 to 60, not ${JSON.stringify(values.wait)}.`,
      );
    let found;
    try {
      found = await withGatewayClient({ brokerUrl: values.mqtt }, (client) => client.statuses(wait * 1000));
    } catch (error) {
      if (error instanceof FieldgraphError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
    const gateways = found.map((s) => summarizeGateway(s.status));
    if (values.json) {
      console.log(JSON.stringify({ gateways }, null, 2));
      return 0;
    }
    if (gateways.length === 0) console.log('No gateway has a retained status on this broker.');
    found.forEach((s, i) => console.log(row({ ...gateways[i]!, signed: s.signed })));
    return 0;
  },
};
