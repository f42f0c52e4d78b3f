import { describe, expect, it } from 'vitest';
import type { HttpEndpointRequest } from '../../../../../shared/core/engine/engine';
import type { HttpAnswer } from '../../../../../shared/core/flow/catalog';
import { bench, edge, flow, lastTrace, node, stepsOf, type Bench } from './harness';

const request = (method: string, path: string, body?: unknown, extra: Partial<HttpEndpointRequest> = {}) => ({
  method,
  path: `/flows${path}`,
  segments: path.split('/').filter(Boolean),
  query: {},
  headers: { 'content-type': 'application/json', 'x-device': 'hall' },
  body,
  ...extra,
});

/** Sends a request the way the gateway does: lookup, then delivery; the answers it got. */
const send = (
  b: Bench,
  method: string,
  path: string,
  body?: unknown,
  extra?: Partial<HttpEndpointRequest>,
) => {
  const answers: HttpAnswer[] = [];
  const req = request(method, path, body, extra);
  const found = b.engine.lookupHttp(method, req.segments);
  if (!found || !('found' in found)) return { answers, lookup: found };
  b.engine.deliverHttp(found.found, req, (a) => answers.push(a));
  return { answers, lookup: found };
};

const endpointFlow = (
  config: Record<string, unknown>,
  rest: ReturnType<typeof node>[],
  edges: ReturnType<typeof edge>[],
  mode: 'parallel' | 'single' | 'queued' = 'parallel',
) => flow('hook', [node('in', 'trigger.http', config), ...rest], edges, mode, 1);

describe('HTTP endpoint trigger and HTTP response', () => {
  it('starts a run with the body as payload and msg.req; the response answers with status, headers and JSON', () => {
    const b = bench([
      endpointFlow(
        { method: 'POST', path: '/hooks/door/:id', headers: ['X-Device'] },
        [
          node('reply', 'action.http-response', {
            status: 201,
            headers: { 'X-Kind': 'door' },
            body: '{"door": msg.req.params.id, "open": payload.open, "from": msg.req.headers["x-device"]}',
          }),
        ],
        [edge('in', 'reply')],
      ),
    ]);
    b.engine.start();
    const { answers } = send(b, 'POST', '/hooks/door/7', { open: true });
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(201);
    expect(answers[0]!.headers).toMatchObject({
      'x-kind': 'door',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(JSON.parse(String(answers[0]!.body))).toEqual({ door: '7', open: true, from: 'hall' });
    const trace = lastTrace(b)!;
    expect(answers[0]!.headers['x-fieldgraph-run']).toBe(trace.runId);
    expect(trace.http).toMatchObject({
      method: 'POST',
      path: '/flows/hooks/door/7',
      status: 201,
      answeredBy: 'node',
    });
    // the trigger's output carries the request (only the chosen header)
    expect(stepsOf(trace, 'in')[0]?.input).toEqual({ open: true });
    expect(stepsOf(trace, 'reply')[0]?.error).toBeUndefined();
  });

  it('a GET without a body has the query as payload; a run that ends without answering gets 204', () => {
    const b = bench([
      endpointFlow(
        { method: 'GET', path: '/status' },
        [node('log', 'action.log', { message: 'string(payload.room)' })],
        [edge('in', 'log')],
      ),
    ]);
    b.engine.start();
    const { answers } = send(b, 'GET', '/status', undefined, { query: { room: 'hall' } });
    expect(answers.map((a) => a.status)).toEqual([204]);
    expect(b.logs.some((l) => l.text === 'hall')).toBe(true);
    expect(lastTrace(b)?.http).toMatchObject({ status: 204, answeredBy: 'run-end' });
  });

  it('a failing run answers 500 naming the failure; a second response fails its node', () => {
    const b = bench([
      endpointFlow(
        { path: '/twice' },
        [
          node('a', 'action.http-response', { body: '"first"' }),
          node('b', 'action.http-response', { body: '"second"' }),
        ],
        [edge('in', 'a'), edge('a', 'b')],
      ),
      flow(
        'bad',
        [
          node('in2', 'trigger.http', { path: '/bad' }),
          node('x', 'action.http-response', { statusFrom: 'payload.status' }),
        ],
        [edge('in2', 'x')],
      ),
    ]);
    b.engine.start();
    const first = send(b, 'POST', '/twice', {});
    expect(first.answers.map((a) => [a.status, a.body])).toEqual([[200, 'first']]);
    expect(stepsOf(lastTrace(b), 'b')[0]?.error).toMatch(/answered already \(200/);
    const bad = send(b, 'POST', '/bad', { status: 42 });
    expect(bad.answers[0]!.status).toBe(500);
    expect(String(bad.answers[0]!.body)).toMatch(/endpoint.run_failed.*whole number from 100 to 599/);
    expect(lastTrace(b)?.http).toMatchObject({ status: 500, answeredBy: 'run-end' });
  });

  it('answers 504 after the timeout and a later response fails; the trace says timeout', () => {
    const b = bench([
      endpointFlow(
        { path: '/slow', timeoutSeconds: 2 },
        [node('wait', 'logic.delay', { seconds: 5 }), node('reply', 'action.http-response', {})],
        [edge('in', 'wait'), edge('wait', 'reply')],
      ),
    ]);
    b.engine.start();
    const { answers } = send(b, 'POST', '/slow', 'x');
    expect(answers).toEqual([]);
    b.clock.advance(2000);
    expect(answers.map((a) => a.status)).toEqual([504]);
    b.clock.advance(3000);
    expect(answers).toHaveLength(1);
    const trace = lastTrace(b)!;
    expect(stepsOf(trace, 'reply')[0]?.error).toMatch(/after its timeout/);
    expect(trace.http).toMatchObject({ status: 504, answeredBy: 'timeout' });
  });

  it('run mode single drops a second request with 503 and Retry-After; queued binds it when its run starts', () => {
    const slow = (id: string, path: string, mode: 'single' | 'queued') =>
      flow(
        id,
        [
          node(`${id}-in`, 'trigger.http', { path }),
          node(`${id}-wait`, 'logic.delay', { seconds: 1 }),
          node(`${id}-reply`, 'action.http-response', { body: 'msg.req.path' }),
        ],
        [edge(`${id}-in`, `${id}-wait`), edge(`${id}-wait`, `${id}-reply`)],
        mode,
        1,
      );
    const b = bench([slow('s', '/single', 'single'), slow('q', '/queued', 'queued')]);
    b.engine.start();
    const one = send(b, 'POST', '/single');
    const two = send(b, 'POST', '/single');
    expect(two.answers.map((a) => [a.status, a.headers['retry-after']])).toEqual([[503, '1']]);
    const q1 = send(b, 'POST', '/queued');
    const q2 = send(b, 'POST', '/queued');
    b.clock.advance(1000);
    expect(one.answers.map((a) => a.status)).toEqual([200]);
    expect(q1.answers.map((a) => a.body)).toEqual(['/flows/queued']);
    expect(q2.answers).toEqual([]);
    b.clock.advance(1000);
    expect(q2.answers.map((a) => a.status)).toEqual([200]);
  });

  it('lookup: 405 with the methods a path takes, nothing for an unknown path; literal segments win over parameters', () => {
    const b = bench([
      flow(
        'a',
        [
          node('p', 'trigger.http', { method: 'GET', path: '/door/:id' }),
          node('r1', 'action.http-response', { body: '"param"' }),
        ],
        [edge('p', 'r1')],
      ),
      flow(
        'b',
        [
          node('l', 'trigger.http', { method: 'GET', path: '/door/open' }),
          node('r2', 'action.http-response', { body: '"literal"' }),
        ],
        [edge('l', 'r2')],
      ),
    ]);
    b.engine.start();
    expect(b.engine.lookupHttp('POST', ['door', '1'])).toEqual({ allowed: ['GET'] });
    expect(b.engine.lookupHttp('GET', ['nothing'])).toBeUndefined();
    expect(send(b, 'GET', '/door/open').answers[0]!.body).toBe('literal');
    expect(send(b, 'GET', '/door/9').answers[0]!.body).toBe('param');
  });

  it('a response in a run not started by a request fails with the reason; a duplicate endpoint is a deploy problem', () => {
    const b = bench([
      flow('m', [node('t', 'trigger.manual'), node('r', 'action.http-response', {})], [edge('t', 'r')]),
    ]);
    b.engine.start();
    b.engine.runManual('m');
    expect(stepsOf(lastTrace(b), 'r')[0]?.error).toMatch(/No HTTP request started this run/);
    expect(() =>
      bench([
        flow('x', [node('a', 'trigger.http', { path: '/same/:a' })], []),
        flow('y', [node('b', 'trigger.http', { path: '/same/:b' })], []),
      ]),
    ).toThrow(/served already by node a of flow x/);
  });

  it('stopping the engine answers open requests 503; msg.req past the property bound is refused before a run', () => {
    const b = bench([
      endpointFlow({ path: '/wait' }, [node('wait', 'logic.delay', { seconds: 60 })], [edge('in', 'wait')]),
    ]);
    b.engine.start();
    const { answers } = send(b, 'POST', '/wait');
    const started = b.traces.length;
    expect(() => send(b, 'POST', '/wait', null, { query: { q: 'x'.repeat(20_000) } })).toThrow(
      /msg.req would be too large/,
    );
    b.engine.stop();
    expect(answers.map((a) => a.status)).toEqual([503]);
    expect(b.traces.length).toBe(started + 1);
    expect(lastTrace(b)?.http).toMatchObject({ status: 503 });
  });
});
