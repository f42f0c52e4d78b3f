/**
 * Node-RED global context in change, switch and inject nodes becomes the gateway's gateway-wide
 * variables (`global.name`): one tab sets what another reads, as in Node-RED, run on the engine
 * bench with both imported flows deployed together.
 */
import { describe, expect, it } from 'vitest';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench } from '../engine/harness';

const exportWith = (rules: unknown[], switchProperty = 'mode') => [
  { id: 'a', type: 'tab', label: 'Sets' },
  { id: 'a-in', type: 'inject', z: 'a', props: [{ p: 'payload' }], payloadType: 'date', wires: [['a-set']] },
  { id: 'a-set', type: 'change', z: 'a', rules, wires: [[]] },
  { id: 'b', type: 'tab', label: 'Reads' },
  {
    id: 'b-in',
    type: 'inject',
    z: 'b',
    props: [{ p: 'payload', v: 'mode', vt: 'global' }],
    wires: [['b-sw']],
  },
  {
    id: 'b-sw',
    type: 'switch',
    z: 'b',
    property: switchProperty,
    propertyType: 'global',
    rules: [{ t: 'eq', v: 'away', vt: 'str' }, { t: 'else' }],
    outputs: 2,
    wires: [['b-away'], ['b-home']],
  },
  { id: 'b-away', type: 'debug', z: 'b', complete: 'payload', wires: [] },
  { id: 'b-home', type: 'debug', z: 'b', complete: 'payload', wires: [] },
];

describe('Node-RED global context in change, switch and inject nodes', () => {
  it('a change rule sets a gateway-wide variable that another tab injects and switches on', () => {
    const result = importNodeRed(
      exportWith([{ t: 'set', p: 'mode', pt: 'global', to: 'payload', tot: 'msg' }]),
    );
    const nodes = result.flows.flatMap((f) => f.flow.nodes);
    expect(nodes.find((n) => n.kind === 'logic.set-variable')?.config).toEqual({
      name: 'mode',
      value: 'payload',
      scope: 'gateway',
    });
    expect(nodes.find((n) => n.id === 'b-sw')?.config).toMatchObject({
      rules: [{ port: 'rule-1', when: expect.stringContaining('global.mode') }],
    });
    expect(result.placeholders).toBe(0);

    const b = bench(result.flows.map((f) => f.flow));
    b.engine.start();
    const flowOf = (tab: string) => result.flows.find((f) => f.flow.nodes.some((n) => n.id === `${tab}-in`))!;
    const sets = flowOf('a').flow;
    const reads = flowOf('b').flow;
    b.engine.runManual(sets.id, 'away', 'a-in');
    b.engine.runManual(reads.id, null, 'b-in');
    b.engine.runManual(sets.id, 'home', 'a-in');
    b.engine.runManual(reads.id, null, 'b-in');
    // Each reading run took the branch the other flow's last value picks, and logged that value.
    expect(b.logs.map((l) => l.text)).toEqual(['away', 'home']);
  });

  it('a key that is not one plain name, or a word CEL reserves, stays with its reason', () => {
    const dotted = importNodeRed(
      exportWith([{ t: 'set', p: 'conf.mode', pt: 'global', to: 'payload', tot: 'msg' }]),
    );
    expect(
      dotted.notes
        .filter((n) => n.nodeId === 'a-set')
        .map((n) => n.message)
        .join('\n'),
    ).toMatch(/global\.conf\.mode \(a gateway-wide variable name is one plain word\)/);
    const reserved = importNodeRed(
      exportWith([{ t: 'set', p: 'mode', pt: 'global', to: 'payload', tot: 'msg' }], 'if'),
    );
    expect(reserved.notes.find((n) => n.nodeId === 'b-sw' && n.severity === 'placeholder')?.message).toMatch(
      /global “if”/,
    );
  });
});
