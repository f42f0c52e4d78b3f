import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../../../../shared/core/flow/catalog';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { importNodeRed } from '../../../../../shared/core/nodered/import';
import { bench } from '../engine/harness';

// A Node-RED export as the editor writes one: http in → change → http response, plus the
// forms the import must refuse (an upload endpoint, a wildcard URL, code using msg.res).
const tab = { id: 'tab1', type: 'tab', label: 'API' };
const red = (id: string, type: string, extra: Record<string, unknown>, wires: string[][] = []) => ({
  id,
  type,
  z: 'tab1',
  x: 100,
  y: 100,
  wires,
  ...extra,
});
const exported = [
  tab,
  red('in1', 'http in', { name: 'door', url: 'api/door/:id/', method: 'get', upload: false }, [['chg']]),
  red(
    'chg',
    'change',
    {
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'req.params.id', tot: 'msg' }],
    },
    [['res']],
  ),
  red('res', 'http response', {
    name: '',
    statusCode: '',
    headers: { 'X-Api': 'door', 'Content-Length': '4' },
  }),
  red('up', 'http in', { url: '/upload', method: 'post', upload: true }, [['fn']]),
  red('fn', 'function', { func: 'msg.res._res.status(201).send("ok");\nreturn null;', outputs: 1 }),
  red('wild', 'http in', { url: '/files/*', method: 'get' }),
  red('put', 'http in', { url: '/lamp', method: 'put' }, [['res2']]),
  red('res2', 'http response', { statusCode: '202', headers: {} }),
];

describe('Node-RED http in / http response import', () => {
  const result = importNodeRed(JSON.stringify(exported));
  const flow = result.flows[0]!.flow;
  const byOrigin = (label: string) => flow.nodes.find((n) => n.label === label || n.id.includes(label));

  it('converts http in (method, url with params) and http response (status, headers); refuses what it cannot serve, with the reason', () => {
    const endpoints = flow.nodes.filter((n) => n.kind === 'trigger.http');
    expect(endpoints.map((n) => n.config)).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/door/:id', auth: 'token' },
        { method: 'PUT', path: '/lamp', auth: 'token' },
      ]),
    );
    const responses = flow.nodes.filter((n) => n.kind === 'action.http-response').map((n) => n.config);
    expect(responses).toEqual(
      expect.arrayContaining([
        {
          statusFrom: 'has(msg.statusCode) ? int(msg.statusCode) : 200',
          headers: { 'X-Api': 'door' },
          body: 'payload',
        },
        { status: 202, headers: {}, body: 'payload' },
      ]),
    );
    const reasons = flow.nodes
      .filter((n) => n.kind === 'nodered.unconverted')
      .map((n) => String(n.config.reason));
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/file uploads \(multipart\/form-data\)/),
        expect.stringMatching(/uses msg.res/),
        expect.stringMatching(/wildcard or pattern/),
      ]),
    );
    expect(result.notes.some((n) => /Content-Length is set by the gateway/.test(n.message))).toBe(true);
    expect(result.wiresKept).toBe(result.wires);
    expect(byOrigin('door')).toBeDefined();
  });

  it('the converted endpoint runs: a GET with a parameter is answered with it, as Node-RED answers', () => {
    const only = { ...flow, nodes: flow.nodes.filter((n) => n.kind !== 'nodered.unconverted') };
    only.edges = flow.edges.filter(
      (e) => only.nodes.some((n) => n.id === e.from.node) && only.nodes.some((n) => n.id === e.to.node),
    );
    expect(validateFlow(only, []).filter((p) => p.severity === 'error')).toEqual([]);
    const b = bench([only]);
    b.engine.start();
    const found = b.engine.lookupHttp('GET', ['api', 'door', '7']);
    expect(found && 'found' in found).toBe(true);
    const answers: HttpAnswer[] = [];
    if (found && 'found' in found)
      b.engine.deliverHttp(
        found.found,
        {
          method: 'GET',
          path: '/flows/api/door/7',
          segments: ['api', 'door', '7'],
          query: {},
          headers: {},
          body: undefined,
        },
        (a) => answers.push(a),
      );
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ status: 200, body: '7', headers: { 'x-api': 'door' } });
  });
});

describe('function code using Node-RED HTTP objects', () => {
  const fn = (func: string) =>
    importNodeRed(JSON.stringify([tab, red('f', 'function', { func, outputs: 1 })])).flows[0]!.flow.nodes[0]!;
  it.each([
    ['msg.res.send(200);\nreturn null;', /uses msg.res/],
    ['msg["res"].status(404);', /uses msg.res/],
    ['msg.payload = msg.req.headers["x-id"];\nreturn msg;', /reads msg.req.headers/],
    ['msg.payload = msg.req.body;\nreturn msg;', /reads msg.req.body/],
    ['const r = msg.req;\nreturn msg;', /reads msg.req,/],
  ])('keeps %j a placeholder, naming the HTTP object', (func, why) => {
    const node = fn(func);
    expect(node.kind).toBe('nodered.unconverted');
    expect(String(node.config.reason)).toMatch(why);
  });

  it('translates code that reads only msg.req.params and msg.req.query, which a request here carries the same way', () => {
    const node = fn('msg.payload = msg.req.params.id;\nreturn msg;');
    expect(node.kind).not.toBe('nodered.unconverted');
  });
});
