/**
 * Function nodes translated to CEL nodes do what their JavaScript does. Every function node of
 * the corpus that converts is run both ways on the same payloads: its code as Node-RED runs it
 * (node:vm, with msg, node, flow, global and context) and the imported flow on the engine bench.
 * Where the JavaScript sends, the flow sends the same payloads on the same outputs and logs the
 * same warnings; where the JavaScript throws, the flow sends nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Flow, FlowNode } from '../../../../../shared/core/flow/schema';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { celLiteral } from '../../../../../shared/core/nodered/values';
import { bench } from '../engine/harness';
import {
  asGlobals,
  asVariables,
  drawFixed,
  globalVariants,
  newStores,
  runJs,
  runSetup,
  seedFlow,
  syncStores,
  type RedFunction,
} from './node-red-js';
import { PAYLOADS, SYNTHETIC, WITH_SETUP } from './function-inputs';

const root = 'test/fixtures/field/nodered';
// held-back-3/ and held-back-4/ are only measured, summed, by corpus.test.ts (their SOURCES.md
// sections): their function nodes are not run one by one here, so no per-node result of them
// guides work on the importer.
const files = (JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as { file: string }[])
  .map((e) => e.file)
  .filter((f) => !/^held-back-[34]\//.test(f));

const functions: { file: string; node: RedFunction }[] = [];
for (const file of files) {
  const data = JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
  const list = (Array.isArray(data) ? data : ((data as { flows?: unknown[] }).flows ?? [])) as RedFunction[];
  for (const node of list)
    if (node?.type === 'function' && typeof node.func === 'string') functions.push({ file, node });
}
for (const [id, func] of SYNTHETIC)
  functions.push({ file: 'synthetic', node: { id, type: 'function', func } });
for (const [id, func, initialize] of WITH_SETUP)
  functions.push({
    file: 'synthetic',
    node: { id, type: 'function', func, ...(initialize ? { initialize } : {}) },
  });

/** Payloads shaped like the ones the code reads: an object with every property name it uses, set to a number, text or true. */
const shapedPayloads = (code: string): unknown[] => {
  const names = [
    ...new Set(
      [...code.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()|\[\s*['"]([^'"]+)['"]\s*\]/g)].map(
        (m) => (m[1] ?? m[2])!,
      ),
    ),
  ].filter((n) => n !== 'payload');
  const shaped = [1, 'x', true].map((v) => Object.fromEntries(names.map((n) => [n, v])));
  // Nested too, for code that reads deeper (msg.payload.settings.target).
  const nest = (depth: number, leaf: unknown): unknown =>
    depth === 0 ? leaf : Object.fromEntries(names.map((n) => [n, nest(depth - 1, leaf)]));
  const nested =
    names.length > 12
      ? []
      : [nest(2, 1), nest(2, 'x'), nest(2, '1'), nest(3, 'x'), nest(2, null), nest(1, 'x'), nest(1, 1)];
  // Code that parses JSON text (JSON.parse(msg.payload)) gets the shaped objects as text too.
  const texts = code.includes('JSON.parse') ? shaped.map((o) => JSON.stringify(o)) : [];
  return [...shaped, ...shaped.map((o) => [o]), ...nested, ...texts];
};

/** The message properties besides payload and topic the code reads or writes (`msg.command`). */
const propertyNames = (code: string): string[] =>
  [...new Set([...code.matchAll(/\bmsg\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].filter(
    (n) => n !== 'payload' && n !== 'topic' && n !== '_msgid',
  );

/** Incoming message properties to run with: none, then every property the code names set to one value. */
const propertyVariants = (code: string): Record<string, unknown>[] => {
  const names = propertyNames(code);
  if (names.length === 0) return [{}];
  const values: unknown[] = [
    1,
    'x',
    'on',
    true,
    null,
    ...shapedPayloads(code).filter((_, i) => i === 0 || i >= 6),
  ];
  return [{}, ...values.map((v) => Object.fromEntries(names.map((n) => [n, v])))];
};

/** JSON with every object's keys in order, so two messages compare whatever order their keys were set in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/** The export around one function node: a manual trigger into it, a debug node per output. */
const exportFor = (fn: RedFunction, outputs: number) => [
  { id: 'tab', type: 'tab', label: 'T' },
  { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [['fn']] },
  {
    ...fn,
    id: 'fn',
    z: 'tab',
    wires: Array.from({ length: outputs }, (_, i) => [`out${i}`]),
  },
  ...Array.from({ length: outputs }, (_, i) => ({
    id: `out${i}`,
    type: 'debug',
    z: 'tab',
    complete: 'true',
    wires: [],
  })),
];

/** The imported flow with a Transform after its trigger that gives each message these properties. */
const withProperties = (flow: Flow, properties: Record<string, unknown>): Flow => {
  if (Object.keys(properties).length === 0) return flow;
  const trigger = flow.nodes.find((n) => n.kind === 'trigger.manual')!;
  const set: FlowNode = {
    id: 'incoming-properties',
    kind: 'logic.transform',
    config: {
      properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, celLiteral(v)])),
    },
    position: { x: 0, y: 0 },
  };
  return {
    ...flow,
    nodes: [...flow.nodes, set],
    edges: [
      ...flow.edges.map((e) =>
        e.from.node === trigger.id ? { ...e, from: { node: set.id, port: 'out' } } : e,
      ),
      {
        id: 'to-incoming-properties',
        from: { node: trigger.id, port: 'out' },
        to: { node: set.id, port: 'in' },
      },
    ],
  };
};

describe('function nodes translated to CEL', () => {
  const converted = functions.flatMap(({ file, node }) => {
    const outputs = Math.max(1, Number(node.outputs ?? 1), node.wires?.length ?? 0);
    const result = importNodeRed(exportFor(node, outputs));
    return result.placeholders === 0 ? [{ file, node, outputs, result }] : [];
  });

  it('translate a real share of the corpus function nodes', () => {
    console.log(`function nodes: ${converted.length} of ${functions.length} translated`);
    expect(converted.length).toBeGreaterThanOrEqual(144);
  });

  it.each(converted.map((c) => [`${c.file} ${c.node.id}`, c] as const))(
    '%s does what its JavaScript does',
    (_name, { node, outputs, result }) => {
      let agreed = 0;
      const jsonText = result.notes.some((n) => /joined into text is written as JSON/.test(n.message));
      // `return {payload}` sends a new message in Node-RED; here the incoming one's topic and properties stay.
      const payloadOnly = result.notes.some((n) => /keeps the incoming topic and properties/.test(n.message));
      // Property variants with empty global stores, then global stores seeded without properties:
      // added, not multiplied, so a function reading many of both stays quick on a loaded machine.
      const variants = [
        ...propertyVariants(node.func).map((properties) => ({ properties, seed: {} })),
        ...globalVariants(node.func)
          .slice(1)
          .map((seed) => ({ properties: {}, seed })),
      ];
      for (const { properties, seed } of variants) {
        const flow = result.flows[0]!.flow;
        const seeds = Object.keys(seed);
        const b = bench([withProperties(flow, properties), ...(seeds.length ? [seedFlow(seeds)] : [])]);
        b.engine.start();
        const stores = newStores();
        const variables = () => b.store.snapshot?.variables[flow.id] ?? {};
        const globals = () => b.store.snapshot?.gatewayVariables ?? {};
        // Setup code ran as the gateway started: it left the same context values.
        runSetup(node, stores);
        expect(variables(), 'after setup code').toEqual(asVariables(stores));
        expect(globals(), 'after setup code').toEqual(asGlobals(stores));
        if (seeds.length) b.engine.runManual('seed-globals', seed);
        const runs = [...PAYLOADS, ...shapedPayloads(node.func)].flatMap((payload) =>
          // Math.random() gives the same fixed draws both sides: the lowest, a middle and the highest.
          (node.func.includes('Math.random') ? [0, 0.5, 0.9999999] : [undefined]).map((draw) => ({
            payload,
            draw,
          })),
        );
        for (const { payload, draw } of runs) {
          syncStores(stores, variables(), globals());
          drawFixed(draw);
          const js = runJs(node, payload, outputs, properties, stores);
          drawFixed(undefined);
          if (payloadOnly && !('threw' in js))
            js.ports = js.ports.map((p) => p.map((m) => ({ payload: (m as { payload?: unknown }).payload })));
          b.logs.length = 0;
          const random = draw === undefined ? undefined : vi.spyOn(Math, 'random').mockReturnValue(draw);
          try {
            b.engine.runManual(flow.id, payload);
          } finally {
            random?.mockRestore();
          }
          const failed = b.logs.some(
            (l) => l.source?.origin === 'error' || (l.level === 'error' && !l.source),
          );
          const ports = Array.from({ length: outputs }, (_, i) =>
            b.logs
              .filter((l) => l.source?.nodeId === `out${i}`)
              .map((l) => JSON.parse(l.text) as Record<string, unknown>)
              .map((m) => (payloadOnly ? { payload: m.payload } : m)),
          );
          const sent = ports.some((p) => p.length > 0);
          if ('threw' in js) {
            // Where Node-RED throws, the message goes no further.
            expect(
              sent,
              `${JSON.stringify(payload)}: the JavaScript throws, the flow sent ${JSON.stringify(ports)}`,
            ).toBe(false);
            continue;
          }
          // A CEL run that fails where JavaScript carried on (text where a number was meant) is loud, not wrong.
          if (failed && !sent) continue;
          const warnings = b.logs
            .filter((l) => l.source?.origin === 'log' && !/^out\d+$/.test(l.source.nodeId ?? ''))
            .map((l) => l.text);
          // Noted in the report: an object joined into text is JSON here, "[object Object]" there.
          const same =
            canonical({ ports, warnings }) === canonical({ ports: js.ports, warnings: js.warnings });
          const objects = [payload, ...Object.values(properties), ...Object.values(seed)].some(
            (v) => v !== null && typeof v === 'object',
          );
          if (!same && jsonText && objects) continue;
          expect({ ports, warnings }, JSON.stringify({ payload, properties, draw })).toEqual({
            ports: js.ports,
            warnings: js.warnings,
          });
          // Context it set is the flow variables the flow set, both as JSON (NaN is null there).
          expect(
            JSON.parse(JSON.stringify(variables())),
            JSON.stringify({ payload, properties, draw }),
          ).toEqual(asVariables(stores));
          expect(JSON.parse(JSON.stringify(globals())), JSON.stringify({ payload, seed })).toEqual(
            asGlobals(stores),
          );
          agreed++;
        }
      }
      expect(agreed).toBeGreaterThan(0);
    },
  );
});

describe('function node translation', () => {
  const only = (func: string, outputs = 1) => {
    const r = importNodeRed([
      { id: 'tab', type: 'tab' },
      {
        id: 'fn',
        type: 'function',
        z: 'tab',
        func,
        outputs,
        wires: Array.from({ length: outputs }, () => []),
      },
    ]);
    return { r, nodes: r.flows[0]!.flow.nodes, edges: r.flows[0]!.flow.edges };
  };

  it('folds local variables and if/else on the payload into one Transform (corpus: AB-P101 “Bit4”)', () => {
    const { r, nodes } = only(
      'var i = msg.payload - 1;\n\nif (i > 31 - 1) {\n    i -= 16;\n}\n\nif (i > 15 - 1) {\n    msg.payload = 1;\n} else {\n    msg.payload = 0;\n}\n\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ kind: 'logic.transform' });
    expect(String(nodes[0]!.config.payload)).toContain('? 1.0 : 0.0');
  });

  it('turns an early `return null` into an If and drops node.status with a note (corpus: Spotify)', () => {
    const { r, nodes, edges } = only(
      'if (!msg.payload.params || !msg.payload.params.device) {\n    node.status({fill:"red",shape:"dot",text:`no device`});\n    return null;\n}\n\nnode.status({fill:"green",shape:"dot",text:`command accepted`});\nmsg.device = msg.payload.params.device;\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    expect(nodes.map((n) => n.kind)).toEqual(['logic.if', 'logic.transform']);
    expect(String(nodes[0]!.config.condition)).toContain('has(payload.params)');
    // msg.device is carried on as a message property.
    expect(nodes[1]!.config).toEqual({ properties: { device: 'payload.params.device' } });
    expect(edges).toHaveLength(1);
    expect(r.notes.map((n) => n.message)).toEqual([expect.stringMatching(/node.status/)]);
  });

  it('sends per output through a Switch, with node.warn as a Log on its path', () => {
    const { nodes, edges } = only(
      'if (msg.payload > 20) { node.warn("hot " + msg.payload); return [null, msg]; }\nreturn [msg, null];',
      2,
    );
    const sw = nodes.find((n) => n.kind === 'logic.switch')!;
    expect(sw.config.rules).toEqual([
      { port: 'path-1', when: 'payload > 20.0' },
      { port: 'path-2', when: '!(payload > 20.0)' },
    ]);
    const log = nodes.find((n) => n.kind === 'action.log')!;
    expect(log.config).toEqual({ level: 'warn', message: '"hot " + string(payload)' });
    expect(edges).toContainEqual(
      expect.objectContaining({ from: { node: sw.id, port: 'path-1' }, to: { node: log.id, port: 'in' } }),
    );
  });

  it('turns node context into a flow variable private to the node, read before and set after the message is built', () => {
    const { r, nodes, edges } = only(
      'var count = context.get("count") || 0;\ncount += 1;\ncontext.set("count", count);\nmsg.payload = count;\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    const set = nodes.find((n) => n.kind === 'logic.set-variable')!;
    const transform = nodes.find((n) => n.kind === 'logic.transform')!;
    expect(set.config.name).toBe('node_fn_count');
    expect(String(transform.config.payload)).toContain('has(vars.node_fn_count)');
    // The Set variable node comes after the Transform, so the Transform reads the value before it.
    expect(edges).toContainEqual(
      expect.objectContaining({
        from: { node: transform.id, port: 'out' },
        to: { node: set.id, port: 'in' },
      }),
    );
    expect(r.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/Node-RED's memory context/));
  });

  it('turns global context into gateway-wide variables and seeding setup code into a Gateway started path', () => {
    const r = importNodeRed([
      { id: 'tab', type: 'tab' },
      {
        id: 'fn',
        type: 'function',
        z: 'tab',
        func: 'var mode = global.get("mode");\nglobal.set("last", msg.payload);\nif (mode === "away") return msg;\nreturn null;',
        initialize: 'if (global.get("mode") === undefined) {\n  global.set("mode", "home");\n}',
        outputs: 1,
        wires: [[]],
      },
    ]);
    expect(r.converted).toBe(1);
    const { nodes, edges } = r.flows[0]!.flow;
    const sets = nodes.filter((n) => n.kind === 'logic.set-variable').map((n) => n.config);
    // Each path (sends, sends nothing) sets last on its own branch of the Switch.
    expect(sets).toEqual([
      { name: 'last', value: 'payload', scope: 'gateway' },
      { name: 'last', value: 'payload', scope: 'gateway' },
      { name: 'mode', value: '(!(has(global.mode))) ? ("home") : global.mode', scope: 'gateway' },
    ]);
    const start = nodes.find((n) => n.kind === 'trigger.gateway-started')!;
    expect(edges.some((e) => e.from.node === start.id)).toBe(true);
    expect(r.notes.map((n) => n.message)).toContainEqual(
      expect.stringMatching(/setup code runs when the gateway starts/),
    );
  });

  it.each([
    ['node.warn("starting");', /setup code that logs/],
    ['context.set("n", 0);\nreturn msg;', /setup code that returns a message/],
    ['for (var i = 0; i < 3; i++) global.set("x", i);', /a for statement/],
  ])('keeps a function with setup code %j a placeholder', (initialize, why) => {
    const r = importNodeRed([
      { id: 'tab', type: 'tab' },
      { id: 'fn', type: 'function', z: 'tab', func: 'return msg;', initialize, outputs: 1, wires: [[]] },
    ]);
    expect(r.placeholders).toBe(1);
    expect(r.notes.find((n) => n.severity === 'placeholder')!.message).toMatch(why);
  });

  it('translates typeof tests, a missing message property being undefined', () => {
    const { r, nodes } = only(
      'if (typeof msg.payload === "string" && typeof msg.extra !== "undefined") return msg;\nif (typeof msg.level == "number") return msg;\nreturn null;',
    );
    expect(r.converted).toBe(1);
    expect(String(nodes[0]!.config.condition)).toContain('type(payload) == string');
    expect(String(nodes[0]!.config.condition)).toContain('!(!has(msg.extra))');
    expect(String(nodes[0]!.config.condition)).toContain('has(msg.level) && (type(msg.level) == double');
  });

  it('translates loose equality, tests of undefined and JavaScript built-ins to the js… CEL functions', () => {
    const { r, nodes } = only(
      'if (msg.payload == "on" && msg.mode === undefined) { msg.payload = Math.round(parseFloat(msg.level) * 10) / 10; return msg; }\nif (msg.payload.a !== undefined) { msg.payload = JSON.parse(msg.payload.a).x % 2; return msg; }\nreturn null;',
    );
    expect(r.converted).toBe(1);
    const config = JSON.stringify(nodes.map((n) => n.config));
    expect(config).toContain('jsEquals(payload, \\"on\\")');
    expect(config).toContain('!(has(msg.mode))');
    expect(config).toContain('has(msg.level) ? jsParseFloat(msg.level) : double(\\"NaN\\")');
    expect(config).toContain('jsRound(');
    expect(config).toContain('jsDefined(payload, \\"a\\")');
    expect(config).toContain('jsRemainder((jsonParse(payload.a)).x, 2.0)');
  });

  it.each([
    ['for (const x of msg.payload) node.warn(x);\nreturn msg;', /a for of statement/],
    ['msg.topic = msg.payload;\nreturn msg;', /msg.topic set to a value that may not be text/],
    ['msg.req.params = 1;\nreturn msg;', /an assignment to msg.req.params/],
    ['msg.in = 1;\nreturn msg;', /reserved word/],
    ['if (msg.a === msg.b) return msg;', /two message properties either may lack/],
    ['if (msg.x) { msg.y = 1; }\nreturn msg;', /msg.y set on one branch of an if only/],
    ['delete msg.a;\nmsg.payload = msg.a;\nreturn msg;', /msg.a read after it was deleted/],
    ['context.set(msg.topic, 1);\nreturn msg;', /a context.set\(\) of a name picked at run time/],
    [
      'var n = context.get("n") || 0;\ncontext.set("n", n + 1);\ncontext.set("m", context.get("n") + msg.payload);\nreturn msg;',
      /a context value computed from vars\.node_fn_n after the code changed it/,
    ],
    ['if (msg.payload == [1]) return msg;', /JavaScript compares their identity/],
    ['msg.payload = global.get(msg.topic);\nreturn msg;', /global context \(a name picked at run time/],
    ['global.set("a.b", msg.payload);\nreturn msg;', /global context “a.b” set \(a nested or unusual key\)/],
    ['var x = msg.payload.a.b;\nreturn msg;', /never uses/],
    ['msg.payload = msg.payload.repeat(2);\nreturn msg;', /a call to msg.payload.repeat\(\)/],
    ['msg.payload = msg.payload.map((x, i) => i);\nreturn msg;', /callback is not one parameter/],
    ['if (msg.a === msg.payload.b) return msg;', /a value that may be undefined/],
    ['if (msg.payload === undefined) return msg;', /never undefined here/],
    ['msg.payload = Math.max(msg.a, 1);\nreturn msg;', /Math.max\(\) of a message property/],
  ])('keeps %j a placeholder and says why', (func, why) => {
    const { r } = only(func);
    expect(r.placeholders).toBe(1);
    expect(r.notes.find((n) => n.severity === 'placeholder')!.message).toMatch(why);
  });
});
