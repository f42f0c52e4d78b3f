/**
 * Flows calling flows: Run flow starts another flow at its Manual trigger (and may wait for it),
 * and Return to caller hands a message back to the Run flow node waiting for it, as Node-RED's
 * link call and link out in return mode do.
 */
import { Type } from '@sinclair/typebox';
import { inPort, outPort, requiredText, sizes, withPayload } from './helpers';
import type { NodeKind } from './types';

/** How long a Run flow waiting for a returned message waits by default (Node-RED's link call: 30 s). */
export const DEFAULT_CALL_TIMEOUT_SECONDS = 30;

/** Run flow: another flow's run, started with this message; with `wait`, its outcome or returned message. */
export const runFlow: NodeKind = {
  kind: 'action.run-flow',
  category: 'action',
  title: 'Run flow',
  doc: 'Starts another flow at its Manual trigger with this message. With `wait`, continues when that run ends, its outcome in `payload`; with result `returned`, continues with the message the other flow hands to a Return to caller node, and fails if it ends without one or after the timeout.',
  icon: 'workflow',
  config: Type.Object({
    flow: requiredText('Id of the flow to run'),
    trigger: Type.String({
      default: '',
      maxLength: 64,
      description: 'Id of the Manual trigger to start at (empty: the flow’s first)',
    }),
    wait: Type.Boolean({ default: false }),
    result: Type.Union([Type.Literal('outcome'), Type.Literal('returned')], {
      default: 'outcome',
      description:
        'With wait: the run’s outcome in payload, or the message its Return to caller node hands back',
    }),
    timeoutSeconds: Type.Number({
      minimum: 0.1,
      maximum: 3600,
      default: DEFAULT_CALL_TIMEOUT_SECONDS,
      description: 'With result “returned”: how long to wait for the returned message',
    }),
  }),
  inputs: inPort,
  outputs: outPort,
  outputShape: (config, ctx) =>
    config.wait === true ? (config.result === 'returned' ? {} : { type: 'string' }) : ctx.input,
  expressions: [],
  roleRefs: [],
  size: sizes.action,
  checkConfig: (config) =>
    config.result === 'returned' && config.wait !== true
      ? [
          {
            path: 'result',
            message: 'A returned message needs wait: turn on wait, or take the result “outcome”',
          },
        ]
      : [],
  create: ({ config }) => {
    const flowId = String(config.flow);
    const wait = config.wait === true;
    const returned = config.result === 'returned';
    const trigger = typeof config.trigger === 'string' && config.trigger ? config.trigger : undefined;
    const timeoutMs = Math.round(
      1000 *
        (typeof config.timeoutSeconds === 'number' ? config.timeoutSeconds : DEFAULT_CALL_TIMEOUT_SECONDS),
    );
    return {
      receive: (ctx, message) => {
        if (wait && returned)
          return ctx.callFlow(flowId, message, timeoutMs, trigger).then((answer) => ctx.send('out', answer));
        const child = ctx.runFlow(flowId, message, trigger);
        if (!wait) {
          ctx.send('out', message);
          return;
        }
        return child.then((outcome) => ctx.send('out', withPayload(message, outcome)));
      },
    };
  },
};

/** Return to caller: hands the message to the Run flow node that called this run and waits for it. */
export const returnToCaller: NodeKind = {
  kind: 'action.return',
  category: 'action',
  title: 'Return to caller',
  doc: 'Hands this message back to the Run flow node (result “returned”) that started this run and waits for it; the caller continues with it. A run returns once; reached in a run nobody waits for, it fails.',
  icon: 'reply',
  config: Type.Object({}),
  inputs: inPort,
  outputs: [],
  expressions: [],
  roleRefs: [],
  size: sizes.action,
  create: () => ({ receive: (ctx, message) => ctx.returnToCaller(message) }),
};
