/**
 * Environment variables an export defines (on a tab, a group, a subflow and its instance, or the
 * global environment) become the constants Node-RED reads; names it does not define stay reported.
 * Small hand-written exports, run on the engine bench where behaviour is the point.
 */
import { describe, expect, it } from 'vitest';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench } from '../engine/harness';

type Obj = Record<string, unknown>;

/** Imports `objects`, deploys every flow and returns what the debug nodes logged per payload. */
const run = (objects: Obj[]) => {
  const result = importNodeRed(objects);
  // A placeholder blocks deploy: only flows without one run.
  const b = bench(
    result.flows.map((f) => f.flow).filter((f) => !f.nodes.some((n) => n.kind === 'nodered.unconverted')),
  );
  b.engine.start();
  return {
    result,
    send: (flowId: string, payload: unknown) => b.engine.runManual(flowId, payload),
    logged: () => b.logs.map((l) => l.text),
  };
};

const tab = (env: Obj[] = [], id = 'tab'): Obj => ({ id, type: 'tab', label: 'Heating', env });
const inject = (z = 'tab', next = 'mid', g?: string): Obj => ({
  id: `in-${z}`,
  type: 'inject',
  z,
  ...(g ? { g } : {}),
  props: [{ p: 'payload' }],
  payloadType: 'date',
  wires: [[next]],
});
const debug = (id = 'out', z = 'tab'): Obj => ({ id, type: 'debug', z, complete: 'payload', wires: [] });

describe('Node-RED environment variables the export defines', () => {
  it('a switch testing a tab’s number variable compares with that number', () => {
    const { result, send, logged } = run([
      tab([{ name: 'LIMIT', type: 'num', value: '20' }]),
      inject(),
      {
        id: 'mid',
        type: 'switch',
        z: 'tab',
        property: 'payload',
        propertyType: 'msg',
        rules: [{ t: 'gt', v: 'LIMIT', vt: 'env' }],
        outputs: 1,
        wires: [['out']],
      },
      debug(),
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    const flowId = result.flows[0]!.flow.id;
    for (const v of [10, 25, 20, 21]) send(flowId, v);
    expect(logged()).toEqual(['25', '21']);
    expect(result.notes.find((n) => n.nodeId === 'mid')?.message).toMatch(
      /environment variable LIMIT: the export defines it on tab “Heating”, 20/,
    );
  });

  it('a group’s variable hides the tab’s; a change node sets a JSON and a bool value', () => {
    const { result, send, logged } = run([
      tab([{ name: 'MODE', type: 'str', value: 'tab' }]),
      {
        id: 'grp',
        type: 'group',
        z: 'tab',
        name: 'Boiler',
        nodes: ['in-tab', 'mid'],
        env: [{ name: 'MODE', type: 'str', value: 'group' }],
      },
      inject('tab', 'mid', 'grp'),
      {
        id: 'mid',
        type: 'change',
        z: 'tab',
        g: 'grp',
        rules: [
          { t: 'set', p: 'payload', pt: 'msg', to: 'MODE', tot: 'env' },
          { t: 'set', p: 'cfg', pt: 'msg', to: 'CFG', tot: 'env' },
          { t: 'set', p: 'on', pt: 'msg', to: 'ON', tot: 'env' },
        ],
        wires: [['fmt']],
      },
      {
        id: 'fmt',
        type: 'change',
        z: 'tab',
        g: 'grp',
        rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'NR_GROUP_NAME', tot: 'env' }],
        wires: [['out']],
      },
      {
        id: 'glob',
        type: 'global-config',
        env: [
          { name: 'CFG', type: 'json', value: '{"a":1}' },
          { name: 'ON', type: 'bool', value: 'true' },
        ],
      },
      debug(),
    ]);
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    const mid = result.flows[0]!.flow.nodes.find((n) => n.id === 'mid')!;
    expect(mid.config).toMatchObject({ payload: '"group"', properties: { cfg: '{"a": 1.0}', on: 'true' } });
    send(result.flows[0]!.flow.id, 1);
    expect(logged()).toEqual(['group']);
    const fmt = result.flows[0]!.flow.nodes.find((n) => n.id === 'fmt')!;
    expect(JSON.stringify(fmt.config)).toMatch(/Boiler/);
  });

  it('a subflow’s instance value wins over the template’s; NR_SUBFLOW_NAME is the instance’s name', () => {
    const { result, send, logged } = run([
      tab(),
      {
        id: 'sf',
        type: 'subflow',
        name: 'Scale',
        in: [{ wires: [{ id: 'k' }] }],
        out: [{ wires: [{ id: 'k', port: 0 }] }],
        env: [{ name: 'FACTOR', type: 'num', value: '2' }],
      },
      {
        id: 'k',
        type: 'change',
        z: 'sf',
        rules: [
          { t: 'set', p: 'factor', pt: 'msg', to: 'FACTOR', tot: 'env' },
          { t: 'set', p: 'topic', pt: 'msg', to: 'NR_SUBFLOW_NAME', tot: 'env' },
        ],
        wires: [[]],
      },
      inject('tab', 'i1'),
      {
        id: 'i1',
        type: 'subflow:sf',
        z: 'tab',
        name: 'triple',
        env: [{ name: 'FACTOR', type: 'num', value: '3' }],
        wires: [['mid']],
      },
      {
        id: 'mid',
        type: 'change',
        z: 'tab',
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'factor', tot: 'msg' }],
        wires: [['out', 'tail']],
      },
      { id: 'tail', type: 'debug', z: 'tab', complete: 'topic', wires: [] },
      debug(),
    ]);
    const copy = result.flows[0]!.flow.nodes.find((n) => n.id.startsWith('i1'))!;
    expect(copy.config).toMatchObject({ properties: { factor: '3.0' }, topic: '"triple"' });
    expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
    send(result.flows[0]!.flow.id, 0);
    expect(logged().sort()).toEqual(['3', 'triple']);
  });

  it('function code reading env.get gets the value; an env-of-env entry follows its name', () => {
    const { result } = run([
      tab([
        { name: 'ROOM', type: 'str', value: 'kitchen' },
        { name: 'TOPIC', type: 'env', value: 'home/${ROOM}/temp' },
      ]),
      inject(),
      {
        id: 'mid',
        type: 'function',
        z: 'tab',
        func: 'msg.topic = env.get("TOPIC");\nreturn msg;',
        outputs: 1,
        wires: [['out']],
      },
      debug(),
    ]);
    const notes = result.notes.filter((n) => n.nodeId === 'mid').map((n) => n.message);
    expect(
      notes.some((m) => /TOPIC: the export defines it on tab “Heating”, "home\/kitchen\/temp"/.test(m)),
    ).toBe(true);
    expect(notes.some((m) => /process environment/.test(m))).toBe(false);
  });

  it('names the export does not define, and credentials, stay reported with their reason', () => {
    const { result } = run([
      tab([{ name: 'TOKEN', type: 'cred', value: '' }]),
      inject(),
      {
        id: 'mid',
        type: 'change',
        z: 'tab',
        rules: [
          { t: 'set', p: 'payload', pt: 'msg', to: 'HOME', tot: 'env' },
          { t: 'set', p: 'token', pt: 'msg', to: 'TOKEN', tot: 'env' },
          // In no group: Node-RED answers from the process environment, which is not known here.
          { t: 'set', p: 'topic', pt: 'msg', to: 'NR_GROUP_NAME', tot: 'env' },
        ],
        wires: [['out']],
      },
      debug(),
    ]);
    const notes = result.notes.filter((n) => n.nodeId === 'mid').map((n) => n.message);
    expect(notes.some((m) => /HOME, whose value the export does not hold/.test(m))).toBe(true);
    expect(notes.some((m) => /TOKEN, which the export defines .* credential/.test(m))).toBe(true);
    expect(notes.some((m) => /NR_GROUP_NAME, whose value the export does not hold/.test(m))).toBe(true);
    expect(result.placeholders).toBe(1);
  });
});
