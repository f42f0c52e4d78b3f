/**
 * JSONata expressions translated to CEL give JSONata's results. Every JSONata expression of the
 * corpus (not the held-back sets) and the tricky cases below is evaluated both ways on the same
 * messages: by the `jsonata` library as Node-RED evaluates it (the message as input, or {msg} when
 * the text names msg; $flowContext and $globalContext bound), and its CEL translation on
 * Fieldgraph's evaluator. Where JSONata gives a value the CEL gives the same; where JSONata has
 * no value the CEL says so (a translation that always has a value is never without one); where
 * JSONata throws the CEL throws.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileExpression } from '../../../../../shared/core/expr/cel';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { jsonataToCel } from '../../../../../shared/core/nodered/jsonata';
import { referencedNames } from '../../../../../shared/core/nodered/refs';
import type { RedNode } from '../../../../../shared/core/nodered/types';

const root = 'test/fixtures/field/nodered';
// held-back-3/ and held-back-4/ are only measured, summed, by corpus.test.ts.
const files = (JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as { file: string }[])
  .map((e) => e.file)
  .filter((f) => !/^held-back-[34]\//.test(f));

const corpus = new Set<string>();
for (const file of files) {
  const data = JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
  const list = (Array.isArray(data) ? data : ((data as { flows?: unknown[] }).flows ?? [])) as RedNode[];
  for (const node of list)
    if (node && typeof node === 'object')
      for (const [kind, value] of referencedNames(node))
        if (kind === 'jsonata' && value.trim()) corpus.add(value);
}

// Written here: the traps of JSONata's semantics, each run both ways.
const TRICKY = [
  'payload',
  'payload.a.b',
  '$$.payload.a',
  '$.payload',
  'payload.a',
  'payload.list.a',
  'topic',
  'count + 1',
  'payload * 2 + 1',
  'payload / 0',
  'payload % 3',
  '-payload',
  'payload - 0.1',
  'payload = 5',
  'payload != 5',
  'payload = "on"',
  'payload = {"a": {"b": 2}}',
  'payload = [1]',
  'payload < 10',
  'payload >= "m"',
  'payload > 2 and payload < 20',
  'payload or false',
  'false and payload + "x"',
  'true or payload + "x"',
  'payload ? "yes" : "no"',
  'payload > 3 ? payload : "small"',
  'payload.a ? 1',
  '"v=" & payload',
  'payload & payload.a & 0.1 & 1e21 & 100000000000000000000',
  '"x" & (0.1 + 0.2)',
  '{"brightness": payload * 2, "on": true}',
  '{"a": payload.a, "b": [payload.a, 1], "c": {"d": payload.missing}}',
  '[payload]',
  '[payload, [payload], payload.a]',
  '[]',
  '{}',
  '$string(payload)',
  '$number(payload)',
  '$round(payload)',
  '$round(payload, 1)',
  '$round(payload, -1)',
  '$round(2.5) & $round(3.5) & $round(-2.5) & $round(0.125, 2)',
  '$floor(payload) & "," & $ceil(payload) & "," & $abs(payload)',
  '$uppercase(payload)',
  '$lowercase(payload)',
  '$length(payload)',
  '$substring(payload, 1)',
  '$substring(payload, -2, 1)',
  '$substring(payload, 0, 2)',
  '$contains(payload, "b")',
  '$exists(payload.a)',
  '$not(payload)',
  '$boolean(payload)',
  '$boolean(payload.a)',
  '$millis()',
  '$now()',
  '$flowContext("count") + 1',
  '$globalContext("mode") = "home"',
  'msg.payload',
  'msg.payload.a & " " & msg.topic',
  '($x := 1; $x)',
  'payload[0]',
  'payload.constructor',
  'data.state = "on" ? 4 : 1',
  '$substringBefore(payload, "b")',
  '$substringAfter(payload, "b")',
  '$trim(payload)',
  '$count(payload)',
  '$count(payload.list)',
  '$join(payload, ",")',
  '$join(payload.a)',
  '$sum(payload)',
  '$sum(payload.a)',
  '$max(payload.a)',
  '$min(payload)',
  '$average(payload)',
  'payload ~> $uppercase()',
  'payload.a ~> $round(1)',
  '$substringAfter(payload, "T") ~> $substringBefore("+")',
  'payload ~> $join',
  'payload in ["abc", 5, true, null]',
  'payload.a in "x"',
  'payload in [payload]',
] as const;

// Messages with the fields present, missing and of other types than the expression expects. Each
// carries a payload and a topic, as a Fieldgraph message does ("" where it has none).
const MESSAGES: Record<string, unknown>[] = [
  { payload: 5, topic: 't' },
  { payload: 0 },
  { payload: -2.5 },
  { payload: 2.55 },
  { payload: 0.1 },
  { payload: 1e21 },
  { payload: 'abc' },
  { payload: '' },
  { payload: '2.5' },
  { payload: '0x10' },
  { payload: ' 7 ' },
  { payload: 'On' },
  { payload: 'z' },
  { payload: '😀ab' },
  { payload: true },
  { payload: false },
  { payload: null },
  { payload: {} },
  { payload: { a: { b: 2 }, temp: 21.5 } },
  { payload: { a: 'x' } },
  { payload: { a: [1, 2] } },
  { payload: { a: [] } },
  { payload: { list: [{ a: 1 }, { a: 2 }] } },
  { payload: { list: [{ a: [1] }] } },
  { payload: [{ a: 1 }, { a: 2 }] },
  { payload: [{ a: 1 }] },
  { payload: [{ a: [3] }] },
  { payload: [[{ a: 1 }]] },
  { payload: [1] },
  { payload: [] },
  { payload: ['abc'] },
  { payload: ['a', 'b'] },
  { payload: [1, 2.5, -3] },
  { payload: '  a \t b\n ' },
  { payload: '2026-12-05T10:00:00+01:00' },
  { payload: 'x', data: { state: 'on', timeSinceChangedMs: 90000, attributes: { friendly_name: 'Door' } } },
  { payload: 3, data: { state: 'off', timeSinceChangedMs: 'soon' }, name: 'n', count: 2 },
  { payload: 'y', previous: 'x', previousValue: 4, results: [], price: 7, entity: { type: 'light' } },
  { payload: 1, topic: 'only-topic' },
].map((m) => ({ topic: '', ...m }));

const VARS: Record<string, unknown> = { count: 3 };
const GLOBAL: Record<string, unknown> = { mode: 'home', AClist: ['climate.a'] };
const FLOW_VARS = new Set(['count']);
const NOW = Date.UTC(2026, 11, 5, 22, 0, 0, 123);

/** As Node-RED's evaluateJSONataExpression: {msg} as input where the text names msg. */
const nodeRed = async (
  source: string,
  msg: Record<string, unknown>,
): Promise<{ value: unknown } | { error: string }> => {
  try {
    const expr = jsonata(source);
    const legacy = /(^|[^a-zA-Z0-9_'".])msg([^a-zA-Z0-9_'"]|$)/.test(source);
    const value: unknown = await expr.evaluate(structuredClone(legacy ? { msg } : msg), {
      flowContext: (name: string) => VARS[name],
      globalContext: (name: string) => GLOBAL[name],
    });
    return { value: plain(value) };
  } catch (error) {
    return { error: String((error as Error).message ?? JSON.stringify(error)) };
  }
};

// JSONata's sequences are arrays with extra members; compare their items.
const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
      : v;

const fieldgraph = (cel: string, msg: Record<string, unknown>): { value: unknown } | { error: string } => {
  try {
    const message = structuredClone(msg);
    return {
      value: compileExpression(cel)({
        payload: message.payload,
        topic: message.topic as string,
        msg: message,
        vars: VARS,
        global: GLOBAL,
        roles: {},
        now: NOW,
      }),
    };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
};

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterAll(() => {
  vi.useRealTimers();
});

const translated = (source: string) => jsonataToCel(source, FLOW_VARS);

describe('JSONata expressions translated to CEL', () => {
  const all = [...new Set([...corpus, ...TRICKY])];
  const converting = all.filter((s) => !('reason' in translated(s)));

  it.each(converting)('%s gives JSONata’s result on every message', async (source) => {
    const t = translated(source);
    if ('reason' in t) throw new Error(t.reason);
    let valued = 0;
    for (const msg of MESSAGES) {
      const expected = await nodeRed(source, msg);
      const got = fieldgraph(t.cel, msg);
      const where = `${source} → ${t.cel} on ${JSON.stringify(msg)}`;
      if ('error' in expected) {
        expect(got, where).toHaveProperty('error');
        continue;
      }
      valued++;
      expect(got, `${where}: ${'error' in got ? got.error : ''}`).toHaveProperty('value');
      const value = (got as { value: unknown }).value;
      if (t.maybeNone) expect(value, where).toEqual(expected.value === undefined ? [] : [expected.value]);
      else {
        expect(expected.value, `${where}: JSONata had no value`).not.toBeUndefined();
        expect(value, where).toEqual(expected.value);
      }
    }
    // Some messages give a value, so the comparison is not one of failures only.
    expect(valued).toBeGreaterThan(0);
  });

  it('translates the JSONata of the corpus it can, and names the construct of the rest', () => {
    const inCorpus = [...corpus];
    const done = inCorpus.filter((s) => !('reason' in translated(s)));
    console.log(JSON.stringify({ corpusJsonata: inCorpus.length, translated: done.length }));
    expect(inCorpus.length).toBeGreaterThan(50);
    expect(done.length).toBeGreaterThanOrEqual(20);
    for (const s of inCorpus) {
      const t = translated(s);
      if ('reason' in t) expect(t.reason, s).toMatch(/^a JSONata expression (with|that|longer)/);
    }
    const refused = [
      '($x := 1; $x)',
      'payload[0]',
      'payload.constructor',
      'payload ~> $join',
      'payload in [payload]',
    ];
    for (const s of TRICKY) expect('reason' in translated(s), s).toBe(refused.includes(s));
    expect(translated('$entity().state')).toEqual({
      reason: 'a JSONata expression with the function $entity',
    });
    expect(translated('payload[0]')).toHaveProperty('reason');
    expect(translated('payload.constructor')).toHaveProperty('reason');
    expect(translated('$env("HOME")')).toHaveProperty('reason');
    expect(translated('$flowContext("other")')).toHaveProperty('reason');
  });
});

describe('a switch node testing a JSONata expression', () => {
  // Node-RED's switch evaluates the expression once, then each rule tests its value: `>` and `<=`
  // fail for no value, "is of type undefined" holds for it, and a JSONata error stops the message.
  const rulesOf = (property: string) => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'sw',
        type: 'switch',
        z: 'tab',
        property,
        propertyType: 'jsonata',
        checkall: 'true',
        rules: [
          { t: 'gt', v: '2', vt: 'num' },
          { t: 'lte', v: '2', vt: 'num' },
          { t: 'istype', v: 'undefined', vt: 'undefined' },
        ],
        outputs: 3,
        wires: [[], [], []],
      },
    ]);
    const sw = result.flows[0]!.flow.nodes.find((n) => n.kind === 'logic.switch');
    expect(sw, JSON.stringify(result.notes)).toBeDefined();
    return (sw!.config.rules as { when: string }[]).map((r) => r.when);
  };
  const holds = (rules: string[], msg: Record<string, unknown>) =>
    rules.map((when) => fieldgraph(when, { topic: '', ...msg }));

  it('holds where Node-RED’s rules hold, for a value, no value and an error', () => {
    const rules = rulesOf('$round(payload.t / 60000, 0)');
    expect(holds(rules, { payload: { t: 180000 } })).toEqual([
      { value: true },
      { value: false },
      { value: false },
    ]);
    expect(holds(rules, { payload: { t: 60000 } })).toEqual([
      { value: false },
      { value: true },
      { value: false },
    ]);
    expect(holds(rules, { payload: {} })).toEqual([{ value: false }, { value: false }, { value: true }]);
    for (const r of holds(rules, { payload: { t: 'soon' } })) expect(r).toHaveProperty('error');
  });

  it('a subject that always has a value is tested as it is', () => {
    const [gt, lte, undefinedType] = rulesOf('$count(payload)');
    expect(holds([gt!, lte!], { payload: [1, 2, 3] })).toEqual([{ value: true }, { value: false }]);
    expect(holds([gt!, lte!], { payload: 'x' })).toEqual([{ value: false }, { value: true }]);
    // "is of type undefined" of a value that always exists is left to be written (noted), as before.
    expect(undefinedType).toBe('');
  });
});
