/**
 * Run modes (Home Assistant's): what happens when a flow is triggered while runs are open.
 * A pure decision, so the policy reads in one place and the executor only carries it out.
 */
import type { DeployedFlow } from './deploy';

/** What to do with a new run. */
export type Admission =
  | { readonly action: 'start' }
  | { readonly action: 'start-after-cancelling' }
  | { readonly action: 'queue' }
  | { readonly action: 'drop'; readonly reason: string };

const start: Admission = { action: 'start' };

/** Decides for a flow with `flow.active.size` open runs and `flow.waiting.size` queued ones. */
export const admit = (flow: DeployedFlow): Admission => {
  const busy = flow.active.size;
  if (busy === 0) return start;
  switch (flow.mode) {
    case 'single':
      return { action: 'drop', reason: 'A run is already going (mode single).' };
    case 'restart':
      return { action: 'start-after-cancelling' };
    case 'queued':
      return flow.waiting.size >= flow.max
        ? { action: 'drop', reason: `${flow.max} runs are already waiting (mode queued).` }
        : { action: 'queue' };
    case 'parallel':
      return busy >= flow.max
        ? { action: 'drop', reason: `${flow.max} runs are already going (mode parallel).` }
        : start;
  }
};
