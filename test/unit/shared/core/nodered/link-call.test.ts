/**
 * Node-RED's link call, link out in return mode and link in nodes nothing sends to, imported from
 * small hand-written exports and run on the engine bench: the call waits for the returned message.
 */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench } from '../engine/harness';

type Obj = Record<string, unknown>;

const caller = (z: string, target: string, extra: Obj = {}): Obj[] => [
  { id: 'in', type: 'inject', z, props: [{ p: 'payload' }], payloadType: 'date', wires: [['call']] },
  {
    id: 'call',
    type: 'link call',
    z,
    links: [target],
    linkType: 'static',
    timeout: '5',
    ...extra,
    wires: [['out']],
  },
  { id: 'out', type: 'debug', z, complete: 'payload', wires: [] },
];

const callee = (z: string): Obj[] => [
  { id: 'lin', type: 'link in', z, name: 'double', links: [], wires: [['dbl']] },
  {
    id: 'dbl',
    type: 'change',
    z,
    rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '2', tot: 'num' }],
    wires: [['ret']],
  },
  { id: 'ret', type: 'link out', z, mode: 'return', links: [], wires: [] },
];

const deploy = (result: ReturnType<typeof importNodeRed>) => {
  const flows = result.flows.map((f) => f.flow);
  const flowIds = flows.map((f) => f.id);
  for (const f of flows) expect(validateFlow(f, [], { flowIds }), f.id).toEqual([]);
  const b = bench(flows);
  b.engine.start();
  return b;
};

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Node-RED link call', () => {
  it('becomes a Run flow waiting for the message the called link in’s chain returns', async () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'Main' },
      ...caller('tab', 'lin'),
      ...callee('tab'),
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    expect(result.converted).toBe(result.total);
    const flow = result.flows[0]!.flow;
    const call = flow.nodes.find((n) => n.id === 'call')!;
    const entry = flow.nodes.find((n) => n.kind === 'trigger.manual' && n.label === 'Link in double')!;
    expect(call).toMatchObject({
      kind: 'action.run-flow',
      config: { flow: flow.id, trigger: entry.id, wait: true, result: 'returned', timeoutSeconds: 5 },
    });
    expect(flow.nodes.find((n) => n.id === 'ret')?.kind).toBe('action.return');
    const b = deploy(result);
    b.engine.runManual(flow.id, 'ignored', 'in');
    await settle();
    // The inject's run called the link in's chain, which returned payload 2 to the debug node.
    expect(b.logs.map((l) => l.text)).toEqual(['2']);
    // Started by hand, the chain has nobody to return to: that run fails, saying so.
    b.engine.runManual(flow.id, 'by hand', entry.id);
    expect(b.traces.at(-1)?.error?.message).toMatch(/No Run flow node waits for this run’s result/);
  });

  it('a call to a link in on another tab names that tab’s flow', async () => {
    const result = importNodeRed([
      { id: 'a', type: 'tab', label: 'Caller' },
      { id: 'b', type: 'tab', label: 'Library' },
      ...caller('a', 'lin'),
      ...callee('b'),
    ]);
    expect(result.flows).toHaveLength(2);
    const [main, library] = result.flows.map((f) => f.flow);
    expect(main!.nodes.find((n) => n.id === 'call')?.config.flow).toBe(library!.id);
    const b = deploy(result);
    b.engine.runManual(main!.id, 'x', 'in');
    await settle();
    expect(b.logs.map((l) => l.text)).toEqual(['2']);
    const parent = b.traces.find((t) => t.flowId === main!.id)!;
    expect(b.traces.find((t) => t.flowId === library!.id)?.parentRunId).toBe(parent.runId);
  });

  it('keeps a dynamic call and an unreadable timeout as placeholders with their reason', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'Main' },
      { id: 'd', type: 'link call', z: 'tab', links: [], linkType: 'dynamic', timeout: '', wires: [[]] },
      {
        id: 't',
        type: 'link call',
        z: 'tab',
        links: ['lin'],
        linkType: 'static',
        timeout: 'soon',
        wires: [[]],
      },
      ...callee('tab'),
      { id: 'lone', type: 'link in', z: 'tab', links: [], wires: [['dbl']] },
    ]);
    const reasons = result.notes
      .filter((n) => n.severity === 'placeholder')
      .map((n) => `${n.nodeId}: ${n.message}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^d: It calls the link in node named by msg.target/),
      't: Its timeout “soon” is not a number of seconds.',
    ]);
    // The export has a dynamic call: the link in may be called by name, which its note says.
    expect(result.notes.find((n) => n.nodeId === 'lone')?.message).toMatch(/msg.target may call it by name/);
    expect(result.notes.some((n) => n.nodeId === 'lin')).toBe(false);
  });
});

describe('Node-RED link in nodes nothing in the export sends to', () => {
  it('start at a Manual trigger, with a note saying Node-RED never ran them', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'Main' },
      { id: 'lin', type: 'link in', z: 'tab', links: [], wires: [['log']] },
      { id: 'log', type: 'debug', z: 'tab', complete: 'payload', wires: [] },
      { id: 'far', type: 'link in', z: 'tab', links: ['elsewhere'], wires: [['log']] },
      { id: 'nowhere', type: 'link out', z: 'tab', mode: 'link', links: [], wires: [] },
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    const notes = new Map(result.notes.map((n) => [n.nodeId, n.message]));
    expect(notes.get('lin')).toMatch(
      /Nothing in this export sends to it, so Node-RED never ran the nodes after it/,
    );
    expect(notes.get('far')).toMatch(/Link out nodes this export does not hold \(elsewhere\) send to it/);
    const triggers = result.flows[0]!.flow.nodes.filter((n) => n.kind === 'trigger.manual');
    expect(triggers).toHaveLength(2);
    expect(
      result.flows[0]!.flow.edges.filter((e) => triggers.some((t) => t.id === e.from.node)),
    ).toHaveLength(2);
  });
});
