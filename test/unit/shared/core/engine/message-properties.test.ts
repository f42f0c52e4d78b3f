import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../../../shared/core/engine';
import { MESSAGE_PROPERTY_LIMITS, withProperties } from '../../../../../shared/core/flow/catalog';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { bench, edge, flow, lastTrace, node, stepsOf } from './harness';

/** manual → Transform (sets properties) → the nodes given → probe Log writing `string(msg)`. */
const chain = (transform: Record<string, unknown>, ...middle: [string, Record<string, unknown>][]) =>
  flow(
    'f',
    [
      node('t', 'trigger.manual'),
      node('set', 'logic.transform', transform),
      ...middle.map(([kind, config], i) => node(`m${i}`, kind, config)),
      node('probe', 'action.log', { message: 'string(msg)' }),
    ],
    [
      edge('t', 'set'),
      ...['set', ...middle.map((_, i) => `m${i}`)].map((from, i, all) =>
        edge(from, all[i + 1] ?? 'probe', middle[i - 1]?.[0] === 'logic.if' ? 'true' : 'out'),
      ),
    ],
  );

describe('named message properties (msg.command) in the engine', () => {
  it('a Transform sets them, expressions read them, and they pass through nodes that send the message on', () => {
    const b = bench([
      chain(
        { properties: { command: '"on"', level: 'payload * 2' }, topic: '"lights/hall"' },
        ['logic.if', { condition: 'msg.command == "on" && msg.level > 5' }],
        ['logic.set-variable', { name: 'last', value: 'msg.level' }],
        ['logic.transform', { payload: 'msg.level + 1', set: { cmd: 'msg.command' } }],
      ),
    ]);
    b.engine.start();
    b.engine.runManual('f', 3);
    b.engine.runManual('f', 2);
    expect(b.logs.map((l) => JSON.parse(l.text) as unknown)).toEqual([
      { command: 'on', level: 6, payload: { cmd: 'on' }, topic: 'lights/hall' },
    ]);
    const first = b.traces[0]!;
    // The trace shows what the message carried beside its payload.
    expect(stepsOf(first, 'set')[0]?.outputs).toEqual([
      { port: 'out', payload: 3, properties: { command: 'on', level: 6 } },
    ]);
    expect(stepsOf(first, 'm1')[0]?.changedVariables).toEqual({ last: { from: null, to: 6 } });
    // The second run's level (4) fails the condition: nothing logged.
    expect(stepsOf(b.traces[1], 'm0')[0]?.outputs[0]?.port).toBe('false');
  });

  it('a message without properties shows msg.payload and msg.topic, and reading a missing one fails that run only', () => {
    const b = bench([chain({}, ['logic.if', { condition: 'msg.command == "on"' }])]);
    b.engine.start();
    b.engine.runManual('f', 1);
    expect(lastTrace(b)?.outcome).toBe('failed');
    expect(lastTrace(b)?.error?.message).toMatch(/command/);
    const guarded = bench([chain({}, ['logic.if', { condition: '!has(msg.command)' }])]);
    guarded.engine.start();
    guarded.engine.runManual('f', 1);
    expect(guarded.logs.map((l) => l.text)).toEqual(['{"payload":1,"topic":""}']);
  });

  it('remove takes properties off; the incoming message is never changed', () => {
    const b = bench([
      chain({ properties: { a: '1', b: '2' } }, [
        'logic.transform',
        { remove: ['a'], properties: { c: 'msg.a + msg.b' } },
      ]),
    ]);
    b.engine.start();
    b.engine.runManual('f', null);
    expect(JSON.parse(b.logs[0]!.text)).toEqual({ b: 2, c: 3, payload: null, topic: '' });
    expect(stepsOf(lastTrace(b), 'set')[0]?.outputs[0]?.properties).toEqual({ a: 1, b: 2 });
  });

  it('bounds what a node may put there: size, depth, count and name, each failing the run with the reason', () => {
    const run = (properties: Record<string, string>, payload: unknown) => {
      const b = bench([chain({ properties })]);
      b.engine.start();
      b.engine.runManual('f', payload);
      return lastTrace(b);
    };
    const large = run({ data: 'payload' }, 'x'.repeat(MESSAGE_PROPERTY_LIMITS.chars));
    expect(large?.outcome).toBe('failed');
    expect(large?.error?.message).toMatch(/msg\.data would be too large or too deeply nested/);
    let deep: unknown = 1;
    for (let i = 0; i < MESSAGE_PROPERTY_LIMITS.depth + 1; i++) deep = { d: deep };
    expect(run({ data: 'payload' }, deep)?.error?.message).toMatch(/too deeply nested/);
    expect(run({ data: 'payload' }, { ok: [1, 2, 3] })?.outcome).toBe('finished');
    const many = Object.fromEntries(
      Array.from({ length: MESSAGE_PROPERTY_LIMITS.count + 1 }, (_, i) => [`p${i}`, '1']),
    );
    expect(run(many, null)?.error?.message).toMatch(/at most 32 named properties/);
    expect(() => withProperties({ payload: 1 }, { payload: 2 })).toThrow(/reserved word/);
    expect(() => withProperties({ payload: 1 }, { 'a-b': 2 })).toThrow(/not a property name/);
    expect(() => withProperties({ payload: 1 }, { ok: { x: 'y'.repeat(20_000) } })).toThrow(/too large/);
  });

  it('a topic expression must give text', () => {
    const b = bench([chain({ topic: 'payload' })]);
    b.engine.start();
    b.engine.runManual('f', 5);
    expect(lastTrace(b)?.error?.message).toBe('The topic expression gave number; a topic is text.');
  });

  it('properties of a delayed message survive a gateway restart', () => {
    const store: { saves: number; snapshot?: EngineSnapshot } = { saves: 0 };
    const f = chain({ properties: { command: '"off"' } }, ['logic.delay', { seconds: 5 }]);
    const first = bench([f], { store });
    first.engine.start();
    first.engine.runManual('f', 1);
    first.engine.stop();
    const second = bench([f], { store, clock: first.clock });
    second.engine.start();
    first.clock.advance(5000);
    expect(second.logs.map((l) => JSON.parse(l.text) as unknown)).toEqual([
      { command: 'off', payload: 1, topic: '' },
    ]);
  });
});

describe('nodes that take a setting from the message', () => {
  it('Delay with secondsFrom holds each message for its own time; null keeps the fixed time', () => {
    const f = chain({ properties: { delay: 'payload' } }, [
      'logic.delay',
      { seconds: 5, secondsFrom: 'msg.delay == null ? null : msg.delay / 1000.0' },
    ]);
    const b = bench([f]);
    b.engine.start();
    b.engine.runManual('f', 2000);
    b.engine.runManual('f', null);
    b.engine.runManual('f', -300);
    // A negative delay is no delay, as in Node-RED: due at once, on the clock's next turn.
    expect(b.logs).toEqual([]);
    b.clock.advance(0);
    expect(b.logs.map((l) => (JSON.parse(l.text) as { payload: unknown }).payload)).toEqual([-300]);
    b.clock.advance(2000);
    expect(b.logs.map((l) => (JSON.parse(l.text) as { payload: unknown }).payload)).toEqual([-300, 2000]);
    b.clock.advance(3000);
    expect(b.logs).toHaveLength(3);
    const strict = bench([
      chain({ properties: { delay: 'payload' } }, ['logic.delay', { seconds: 5, secondsFrom: 'msg.delay' }]),
    ]);
    strict.engine.start();
    strict.engine.runManual('f', '10');
    expect(lastTrace(strict)?.error?.message).toBe(
      'The delay expression gave string; a number of seconds is needed.',
    );
    strict.engine.runManual('f', 1e12);
    expect(lastTrace(strict)?.error?.message).toMatch(/at most 31536000 s/);
  });

  it('HTTP request takes its URL and method from the message, checked like a configured one', async () => {
    const seen: { method: string; url: string }[] = [];
    const f = chain({ properties: { url: 'payload.url', method: 'payload.method' } }, [
      'action.http-request',
      { urlFrom: 'msg.url', methodFrom: 'msg.method', headers: {}, timeoutSeconds: 2 },
    ]);
    const b = bench([f], {
      http: async (request) => {
        seen.push({ method: request.method, url: request.url });
        return { status: 200, headers: {}, body: 'ok' };
      },
    });
    b.engine.start();
    const settle = () => new Promise((r) => setTimeout(r, 0));
    b.engine.runManual('f', { url: 'http://127.0.0.1:9/a', method: 'put' });
    await settle();
    b.engine.runManual('f', { url: '127.0.0.1:9/b', method: 'GET' });
    await settle();
    expect(seen).toEqual([
      { method: 'PUT', url: 'http://127.0.0.1:9/a' },
      { method: 'GET', url: 'http://127.0.0.1:9/b' },
    ]);
    expect(JSON.parse(b.logs[0]!.text)).toMatchObject({ payload: { status: 200, body: 'ok' } });
    b.engine.runManual('f', { url: 'file:///etc/passwd', method: 'GET' });
    await settle();
    expect(lastTrace(b)?.error?.message).toMatch(/is not http:\/\/ or https:\/\//);
    b.engine.runManual('f', { url: 'http://127.0.0.1:9/c', method: 'TRACE' });
    await settle();
    expect(lastTrace(b)?.error?.message).toMatch(/one of GET, POST, PUT, PATCH, DELETE is needed/);
    expect(seen).toHaveLength(2);
  });
});

describe('the validator and message properties', () => {
  it('types msg.<name> as dynamic: never a confident type error, still a syntax error', () => {
    const ok = chain({ properties: { n: 'msg.count + 1', s: 'msg.name + "!"' } }, [
      'logic.if',
      { condition: 'msg.command == "on" && msg.level > 2.0' },
    ]);
    expect(validateFlow(ok, []).filter((p) => p.severity === 'error')).toEqual([]);
    const bad = chain({ properties: { n: 'msg.count +' } });
    expect(validateFlow(bad, []).map((p) => p.code)).toContain('flow.expression_syntax');
    const reserved = chain({ properties: { topic: '"x"' } });
    expect(
      validateFlow(reserved, [])
        .map((p) => p.message)
        .join(' '),
    ).toMatch(/reserved word/);
    const both = chain({}, ['action.http-request', { url: 'http://127.0.0.1:9/', urlFrom: 'msg.url' }]);
    expect(
      validateFlow(both, [])
        .map((p) => p.message)
        .join(' '),
    ).toMatch(/either a URL or an expression for it \(urlFrom\), not both/);
  });
});

describe('MQTT publish to the topic a message carries', () => {
  it('publishes to topicFrom, refusing wildcards, empty and overlong topics', () => {
    const b = bench([
      chain({ topic: 'payload' }, [
        'action.mqtt-publish',
        { topicFrom: 'topic', payload: 'payload', qos: 0 },
      ]),
    ]);
    b.engine.start();
    b.engine.runManual('f', 'lights/hall/set');
    expect(b.published).toEqual([
      { topic: 'lights/hall/set', payload: 'lights/hall/set', qos: 0, retain: false },
    ]);
    for (const [topic, why] of [
      ['lights/#', /has a wildcard/],
      ['a/+/b', /has a wildcard/],
      ['', /gave empty text; a topic is needed/],
      ['t'.repeat(1025), /at most 1024/],
    ] as const) {
      b.engine.runManual('f', topic);
      expect(lastTrace(b)?.error?.message).toMatch(why);
    }
    expect(b.published).toHaveLength(1);
    const both = chain({}, ['action.mqtt-publish', { topic: 'a', topicFrom: 'topic' }]);
    expect(
      validateFlow(both, [])
        .map((p) => p.message)
        .join(' '),
    ).toMatch(/either a topic or an expression for it \(topicFrom\), not both/);
  });
});
