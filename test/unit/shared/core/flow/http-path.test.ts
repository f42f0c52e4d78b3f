import { describe, expect, it } from 'vitest';
import {
  compileEndpointPath,
  endpointPathProblem,
  requestSegments,
} from '../../../../../shared/core/flow/http-path';
import { answerFor, responseHeaderProblem } from '../../../../../shared/core/flow/catalog/http-endpoint';

describe('HTTP endpoint paths', () => {
  it('accepts plain segments and :parameters, and names what is wrong with others', () => {
    for (const ok of ['/', '/hooks/door/:id', '/a.b/c~d/e-f_g', '/:x/:y'])
      expect(endpointPathProblem(ok)).toBeUndefined();
    expect(endpointPathProblem('hooks')).toMatch(/does not start with "\/"/);
    expect(endpointPathProblem('/a//b')).toMatch(/empty segment/);
    expect(endpointPathProblem('/a/')).toMatch(/trailing/);
    expect(endpointPathProblem('/a/*')).toMatch(/wildcard or pattern/);
    expect(endpointPathProblem('/a/:id/:id')).toMatch(/appears twice/);
    expect(endpointPathProblem('/a/:1x')).toMatch(/not a parameter name/);
    expect(endpointPathProblem('/a b')).toMatch(/characters a path segment cannot have/);
    expect(endpointPathProblem(`/${'a/'.repeat(20)}b`)).toMatch(/segments; at most 16/);
  });

  it('matches decoded request segments, gives parameters, and equal shapes for paths that answer the same requests', () => {
    const path = compileEndpointPath('/hooks/door/:id');
    expect(path.shape).toBe(compileEndpointPath('/hooks/door/:room').shape);
    expect(path.specificity).toBe(2);
    const segments = requestSegments('/flows/hooks/door/front%20door/');
    expect(segments).toEqual({ ok: true, segments: ['hooks', 'door', 'front door'] });
    expect(path.match(segments.ok ? segments.segments : [])).toEqual({ id: 'front door' });
    expect(path.match(['hooks', 'door'])).toBeUndefined();
    expect(path.match(['hooks', 'window', '1'])).toBeUndefined();
    expect(requestSegments('/v1/status')).toMatchObject({ ok: false });
    expect(requestSegments('/flows/%E0%A4%A')).toMatchObject({ ok: false, problem: /percent-encoding/ });
  });

  it('response bodies: text as text/plain, objects as JSON, bytes as bytes, a configured content type wins', () => {
    expect(answerFor(200, {}, 'hi')).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'hi',
    });
    expect(answerFor(201, { 'Content-Type': 'application/vnd.x+json' }, { a: 1 })).toEqual({
      status: 201,
      headers: { 'content-type': 'application/vnd.x+json' },
      body: '{"a":1}',
    });
    expect(answerFor(204, {}, { a: 1 }).body).toBe('');
    expect(answerFor(200, {}, new Uint8Array([1, 2])).headers['content-type']).toBe(
      'application/octet-stream',
    );
    expect(responseHeaderProblem('Content-Length', '3')).toMatch(/set by the gateway/);
    expect(responseHeaderProblem('X-A', 'a\r\nb')).toMatch(/line break/);
    expect(responseHeaderProblem('bad name', 'x')).toMatch(/not a header name/);
    expect(responseHeaderProblem('X-Ok', 'fine')).toBeUndefined();
  });
});
