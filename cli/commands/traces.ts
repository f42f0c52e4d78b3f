import { parseArgs } from 'node:util';
import { RunOutcome, TRACE_QUERY_MAX, type StoredRun } from '../../shared/core/engine';
import { FieldgraphError } from '../../shared/core/errors';
import { withGatewayClient } from '../../shared/node/deploy/gateway-client';
import { readSigningKeyFile } from '../../shared/node/keys/files';
import { GATEWAY_ID_PATTERN } from '../../shared/node/gateway/topics';
import { UsageError, type Command } from '../command';

const outcomes = RunOutcome.anyOf.map((o) => o.const as string);

/** One run as `--json` prints it. */
interface RunLine {
  flow: string;
  started: string;
  outcome: string;
  steps: Array<{
    node: string;
    kind: string;
    ms: number;
    input: unknown;
    output: unknown;
    error: string | null;
  }>;
}

const toLine = (run: StoredRun): RunLine => ({
  flow: run.flowId,
  started: new Date(run.startedAt).toISOString(),
  outcome: run.outcome,
  steps: run.steps.map((step) => ({
    node: step.nodeId,
    kind: step.kind,
    ms: Math.max(0, step.at - run.startedAt),
    input: step.input ?? null,
    output: step.outputs.length === 0 ? null : step.outputs[0]!.payload,
    error: step.error ?? null,
  })),
});

const short = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

const describeRun = (run: StoredRun): string => {
  const head = `${new Date(run.startedAt).toISOString()}  ${run.flowId}  ${run.outcome}${
    run.reason ? ` (${run.reason})` : ''
  }  run ${run.runId}${run.flowVersion?.packageVersion !== undefined ? `  package v${run.flowVersion.packageVersion}` : ''}`;
  const steps = run.steps.map((step) => {
    const out = step.outputs.length
      ? `  → ${step.outputs.map((o) => `${o.port} ${short(o.payload)}`).join(', ')}`
      : '';
    const error = step.error ? `  ✗ ${step.error}` : '';
    return `  +${String(Math.max(0, step.at - run.startedAt)).padStart(5)} ms  ${step.nodeId} (${step.kind})  ${short(step.input)}${out}${error}`;
  });
  return [head, ...steps, ...(run.truncated ? ['  … more steps than the trace keeps'] : [])].join('\n');
};

/** `fieldgraph traces`: the runs a gateway kept, read over its MQTT RPC. */
export const tracesCommand: Command = {
  name: 'traces',
  summary: 'List the runs a gateway kept (its traces), newest first, over MQTT',
  usage: `Usage: fieldgraph traces --mqtt URL --gateway ID --key FILE [--flow FLOW] [--outcome O] [--limit N] [--json]

Reads the traces a running gateway keeps, over the site broker, newest first: per run its
flow, start, outcome and every step with its node, kind, time after the run started, input,
output and error.

  --mqtt URL       the site broker, mqtt://host:port (credentials in the URL stay local)
  --gateway ID     the gateway's id
  --key FILE       an installer signing key the gateway trusts (signing.key from keys generate):
                   traces carry site data, so the request is signed
  --flow FLOW      only runs of this flow
  --outcome O      only runs that ended so: ${outcomes.join(', ')} (comma-separated for several)
  --limit N        at most N runs (1–${TRACE_QUERY_MAX}, default 20)
  --json           print {"runs":[{"flow","started","outcome","steps":[{"node","kind","ms","input","output","error"}]}]}`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        mqtt: { type: 'string' },
        gateway: { type: 'string' },
        flow: { type: 'string' },
        outcome: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        key: { type: 'string' },
      },
    });
    if (!values.key)
      throw new UsageError(
        'Give the installer signing key with --key FILE: a gateway answers "traces" only to a key it trusts.',
      );
    if (!values.mqtt)
      throw new UsageError('Say which broker the gateway is on with --mqtt mqtt://host:port.');
    if (!/^(mqtts?|wss?|tcp):\/\//.test(values.mqtt))
      throw new UsageError(
        `--mqtt must be a broker URL like mqtt://127.0.0.1:1883, not ${JSON.stringify(values.mqtt)}.`,
      );
    if (!values.gateway || !GATEWAY_ID_PATTERN.test(values.gateway))
      throw new UsageError('Say which gateway with --gateway ID (letters, digits, "-" or "_").');
    const wanted = values.outcome?.split(',').map((o) => o.trim());
    const unknown = wanted?.find((o) => !outcomes.includes(o));
    if (unknown !== undefined)
      throw new UsageError(
        `--outcome ${JSON.stringify(unknown)} is not an outcome; use one of ${outcomes.join(', ')}.`,
      );
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > TRACE_QUERY_MAX)
      throw new UsageError(
        `--limit takes a whole number from 1 to ${TRACE_QUERY_MAX}, not ${JSON.stringify(values.limit)}.`,
      );
    try {
      const signingKey = readSigningKeyFile(values.key, (warning) => console.error(warning));
      const gatewayId = values.gateway;
      const reply = await withGatewayClient({ brokerUrl: values.mqtt, signingKey }, (client) =>
        client.call(gatewayId, 'traces', {
          ...(values.flow ? { flowId: values.flow } : {}),
          ...(wanted ? { outcome: [...new Set(wanted)] as StoredRun['outcome'][] } : {}),
          limit,
        }),
      );
      const runs = Array.isArray(reply?.traces) ? reply.traces : [];
      if (values.json) console.log(JSON.stringify({ runs: runs.map(toLine) }));
      else if (runs.length === 0) console.log(`Gateway ${values.gateway} keeps no runs that match.`);
      else console.log(runs.map(describeRun).join('\n\n'));
      return 0;
    } catch (error) {
      if (!(error instanceof FieldgraphError)) throw error;
      if (values.json) console.log(JSON.stringify({ ok: false, code: error.code, message: error.message }));
      else console.error(error.message);
      return 1;
    }
  },
};
