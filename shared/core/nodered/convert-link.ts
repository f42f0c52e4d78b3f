/**
 * Node-RED's link call and link out in return mode: a link call becomes a Run flow that waits for
 * the returned message, started at the called link in's own Manual trigger; a link out in return
 * mode becomes a Return to caller.
 */
import { single, text, type Conversion, type RedNode } from './types';

/**
 * Marks the flow of a Run flow the import made: `config.flow` holds this and the id of the
 * Manual trigger to start until the flows are assembled and the trigger's flow is known.
 */
export const CALL_FLOW_PREFIX = 'nodered-call:';

/** Node-RED's link call timeout when its field is empty. */
const DEFAULT_TIMEOUT = 30;

/** A link call as a Run flow waiting for the message a Return to caller hands back. */
export const convertLinkCall = (
  n: RedNode,
  target: string | undefined,
  entry: string | undefined,
): Conversion => {
  if (text(n.linkType) === 'dynamic')
    return {
      reason:
        'It calls the link in node named by msg.target, chosen while the flow runs; use a Switch on msg.target and one Run flow (result “returned”) per link in.',
    };
  if (!target || !entry) return { reason: 'It calls a link in node this export does not hold.' };
  const raw = text(n.timeout).trim();
  const seconds = raw === '' ? DEFAULT_TIMEOUT : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0)
    return { reason: `Its timeout “${raw.slice(0, 20)}” is not a number of seconds.` };
  if (seconds < 0.1 || seconds > 3600)
    return { reason: `Its timeout of ${seconds} s is outside what Run flow waits (0.1 s to an hour).` };
  return single('action.run-flow', {
    flow: `${CALL_FLOW_PREFIX}${entry}`,
    trigger: entry,
    wait: true,
    result: 'returned',
    timeoutSeconds: seconds,
  });
};

/** A link out in return mode as a Return to caller. */
export const convertLinkReturn = (): Conversion => single('action.return', {}, []);
