import { describe, expect, it } from 'vitest';
import type { PanelShown } from '../../../../../shared/core/flow/catalog';
import { bench, edge, flow, lastTrace, node, stepsOf } from './harness';

const panelFlow = (mode: 'parallel' | 'single' = 'parallel') =>
  flow(
    'porch',
    [
      node('light', 'trigger.panel', { widget: 'Porch light', control: 'switch', topic: 'porch/light' }),
      node('show', 'action.panel-show', { widget: 'Porch state', value: '"light " + string(payload)' }),
      node('pub', 'action.mqtt-publish', { topicFrom: 'topic' }),
    ],
    [edge('light', 'show'), edge('show', 'pub')],
    mode,
    1,
  );

describe('panel controls and shown values in the engine', () => {
  it('a press starts a run with the value and the control’s topic; a show hands its value to the panel and passes the message on', () => {
    const shown: [string, string, PanelShown][] = [];
    const b = bench([panelFlow()], { panel: { show: (f, n, s) => void shown.push([f, n, s]) } });
    b.engine.start();
    const runId = b.engine.deliverPanel('porch', 'light', true);
    expect(runId).toEqual(expect.any(String));
    expect(shown).toEqual([
      ['porch', 'show', { widget: 'Porch state', display: 'text', value: 'light true' }],
    ]);
    expect(b.published).toEqual([{ topic: 'porch/light', payload: true, qos: 0, retain: false }]);
    expect(lastTrace(b)).toMatchObject({ runId, outcome: 'finished' });
  });

  it('a refused value fails the show with the panel’s reason; without a panel the show only passes on', () => {
    const b = bench([panelFlow()], { panel: { show: () => 'The value is too large to show.' } });
    b.engine.start();
    b.engine.deliverPanel('porch', 'light', false);
    expect(lastTrace(b)).toMatchObject({ outcome: 'failed' });
    expect(stepsOf(lastTrace(b), 'show')[0]!.error).toContain('too large to show');
    expect(b.published).toEqual([]);
    const plain = bench([panelFlow()]);
    plain.engine.start();
    plain.engine.deliverPanel('porch', 'light', false);
    expect(plain.published).toEqual([{ topic: 'porch/light', payload: false, qos: 0, retain: false }]);
  });

  it('refuses a press of a node that is not a deployed panel control', () => {
    const b = bench([panelFlow()]);
    expect(() => b.engine.deliverPanel('porch', 'light', true)).toThrow('not deployed');
    b.engine.start();
    expect(() => b.engine.deliverPanel('porch', 'show', true)).toThrow('not deployed');
    expect(() => b.engine.deliverPanel('garage', 'light', true)).toThrow('not deployed');
  });
});
