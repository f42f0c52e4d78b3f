/**
 * Converted Node-RED nodes that read or write message properties beyond payload and topic
 * (`msg.command`, `msg.delay`, `msg.url`) do what they did in Node-RED: small exports imported
 * and run on the engine bench (fake clock); the debug node shows the whole message.
 */
import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../../../shared/core/flow/catalog';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench, lastTrace } from '../engine/harness';

type RedNode = Record<string, unknown>;

/**
 * inject → the chain of nodes → debug (whole message), imported and deployed. `first` makes
 * the first node of the chain set msg.<name> from the injected payload's fields, so each run
 * can carry its own properties.
 */
const run = (chain: RedNode[], options: { http?: (r: HttpRequest) => Promise<string> } = {}) => {
  const ids = chain.map((_, i) => `n${i}`);
  const result = importNodeRed([
    { id: 'tab', type: 'tab', label: 'T' },
    { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [[ids[0]]] },
    ...chain.map((n, i) => ({ id: ids[i], z: 'tab', ...n, wires: [[ids[i + 1] ?? 'out']] })),
    { id: 'out', type: 'debug', z: 'tab', complete: 'true', wires: [] },
  ]);
  expect(result.placeholders, JSON.stringify(result.notes)).toBe(0);
  const flow = result.flows[0]!.flow;
  const seen: HttpRequest[] = [];
  const b = bench([flow], {
    http: async (request) => {
      seen.push(request);
      return { status: 201, headers: {}, body: await (options.http?.(request) ?? Promise.resolve('ok')) };
    },
  });
  b.engine.start();
  return {
    b,
    seen,
    notes: result.notes.map((n) => n.message),
    flow,
    send: (payload: unknown) => b.engine.runManual(flow.id, payload),
    logged: () => b.logs.filter((l) => l.source?.nodeId === 'out').map((l) => JSON.parse(l.text) as unknown),
  };
};

/** A change node copying fields of the payload into message properties, then the payload's `value` into the payload. */
const carry = (...names: string[]): RedNode => ({
  type: 'change',
  rules: [
    ...names.map((name) => ({ t: 'set', p: name, pt: 'msg', to: `payload.${name}`, tot: 'msg' })),
    { t: 'set', p: 'payload', pt: 'msg', to: 'payload.value', tot: 'msg' },
  ],
});

describe('Node-RED message properties on the engine', () => {
  it('switch on msg.command: a message without it goes where Node-RED sends undefined', () => {
    const { send, logged } = run([
      carry('command'),
      {
        type: 'switch',
        property: 'command',
        propertyType: 'msg',
        checkall: 'true',
        rules: [{ t: 'eq', v: 'on', vt: 'str' }, { t: 'neq', v: 'on', vt: 'str' }, { t: 'null' }],
        outputs: 3,
      },
    ]);
    send({ command: 'on', value: 1 });
    send({ command: 'off', value: 2 });
    // Only the first rule's port is wired to the debug node.
    expect(logged()).toEqual([{ command: 'on', payload: 1, topic: '' }]);
  });

  it('switch rules on a missing property hold exactly where Node-RED tests of undefined hold', () => {
    const portsFor = (rules: RedNode[]) => {
      const r = run([{ type: 'switch', property: 'command', propertyType: 'msg', checkall: 'true', rules }]);
      r.send(1);
      return r.b.traces
        .at(-1)!
        .steps.find((s) => s.nodeId === 'n0')!
        .outputs.map((o) => o.port);
    };
    expect(portsFor([{ t: 'eq', v: 'on', vt: 'str' }])).toEqual(['otherwise']);
    expect(portsFor([{ t: 'neq', v: 'on', vt: 'str' }])).toEqual(['rule-1']);
    expect(portsFor([{ t: 'null' }])).toEqual(['rule-1']);
    expect(portsFor([{ t: 'nnull' }])).toEqual(['otherwise']);
    expect(portsFor([{ t: 'gt', v: '1', vt: 'num' }])).toEqual(['otherwise']);
    // (undefined + "") contains "def": Node-RED's contains holds.
    expect(portsFor([{ t: 'cont', v: 'def', vt: 'str' }])).toEqual(['rule-1']);
    expect(portsFor([{ t: 'istype', v: 'undefined', vt: 'undefined' }])).toEqual(['rule-1']);
  });

  it('change sets, moves and deletes message properties and sets the topic, rule after rule', () => {
    const { send, logged } = run([
      carry('a', 'b'),
      {
        type: 'change',
        rules: [
          { t: 'set', p: 'topic', pt: 'msg', to: 'lights/hall', tot: 'str' },
          { t: 'set', p: 'c', pt: 'msg', to: '5', tot: 'num' },
          { t: 'move', p: 'a', pt: 'msg', to: 'moved', tot: 'msg' },
          { t: 'delete', p: 'b', pt: 'msg' },
          { t: 'set', p: 'copy', pt: 'msg', to: 'topic', tot: 'msg' },
        ],
      },
    ]);
    send({ a: 'x', b: 'y', value: 7 });
    expect(logged()).toEqual([{ moved: 'x', c: 5, copy: 'lights/hall', payload: 7, topic: 'lights/hall' }]);
  });

  it('an inject node with a topic and other properties sends them', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      {
        id: 'in',
        type: 'inject',
        z: 'tab',
        props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }, { p: 'command', v: 'on', vt: 'str' }],
        topic: 'lights',
        payload: '3',
        payloadType: 'num',
        wires: [['out']],
      },
      { id: 'out', type: 'debug', z: 'tab', complete: 'true', wires: [] },
    ]);
    expect(result.placeholders).toBe(0);
    const b = bench([result.flows[0]!.flow]);
    b.engine.start();
    b.engine.runManual(result.flows[0]!.flow.id, null);
    expect(b.logs.map((l) => JSON.parse(l.text) as unknown)).toEqual([
      { command: 'on', payload: 3, topic: 'lights' },
    ]);
  });

  it('a delay set by msg.delay holds each message for its own milliseconds, the node’s time otherwise', () => {
    const { b, send, logged } = run([
      carry('delay'),
      { type: 'delay', pauseType: 'delayv', timeout: '5', timeoutUnits: 'seconds' },
    ]);
    send({ delay: 1500, value: 'a' });
    send({ delay: '200', value: 'b' });
    send({ delay: null, value: 'c' });
    send({ delay: -10, value: 'd' });
    b.clock.advance(0);
    expect(logged().map((m) => (m as { payload: unknown }).payload)).toEqual(['d']);
    b.clock.advance(200);
    b.clock.advance(1300);
    expect(logged().map((m) => (m as { payload: unknown }).payload)).toEqual(['d', 'b', 'a']);
    b.clock.advance(3500);
    expect(logged().map((m) => (m as { payload: unknown }).payload)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('http request takes its URL and method from msg.url and msg.method and keeps msg.statusCode', async () => {
    const { send, logged, seen, b } = run([
      carry('url', 'method'),
      { type: 'http request', method: 'use', url: '', ret: 'txt' },
    ]);
    send({ url: '127.0.0.1:9/lamp', method: 'put', value: 'on' });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([
      expect.objectContaining({ method: 'PUT', url: 'http://127.0.0.1:9/lamp', body: 'on' }),
    ]);
    send({ url: 'http://127.0.0.1:9/state', method: 'GET', value: 'ignored' });
    await new Promise((r) => setTimeout(r, 0));
    // Node-RED sends no body with a GET.
    expect(seen[1]).toEqual(expect.objectContaining({ method: 'GET', url: 'http://127.0.0.1:9/state' }));
    expect(seen[1]!.body).toBeUndefined();
    expect(logged()).toEqual([
      { url: '127.0.0.1:9/lamp', method: 'put', statusCode: 201, payload: 'ok', topic: '' },
      { url: 'http://127.0.0.1:9/state', method: 'GET', statusCode: 201, payload: 'ok', topic: '' },
    ]);
    send({ url: 'ftp://127.0.0.1/x', method: 'GET', value: 1 });
    await new Promise((r) => setTimeout(r, 0));
    expect(lastTrace(b)?.outcome).toBe('failed');
    expect(seen).toHaveLength(2);
  });

  it('a debug node of one property shows it, and undefined when the message lacks it', () => {
    const result = importNodeRed([
      { id: 'tab', type: 'tab', label: 'T' },
      { id: 'in', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payloadType: 'date', wires: [['c']] },
      {
        id: 'c',
        type: 'change',
        z: 'tab',
        rules: [{ t: 'set', p: 'n', to: 'payload', tot: 'msg' }],
        wires: [['out']],
      },
      {
        id: 'in2',
        type: 'inject',
        z: 'tab',
        props: [{ p: 'payload' }],
        payloadType: 'date',
        wires: [['out']],
      },
      { id: 'out', type: 'debug', z: 'tab', complete: 'n', targetType: 'msg', wires: [] },
    ]);
    const flow = result.flows[0]!.flow;
    const b = bench([flow]);
    b.engine.start();
    const triggers = flow.nodes.filter((n) => n.kind === 'trigger.manual').map((n) => n.id);
    b.engine.runManual(flow.id, 4, triggers[0]);
    b.engine.runManual(flow.id, 4, triggers[1]);
    expect(b.logs.map((l) => l.text)).toEqual(['4', 'undefined']);
  });
});
