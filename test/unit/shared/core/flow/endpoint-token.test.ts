/** The validator's warning for HTTP endpoints that ask for a site token no site names. */
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../../../shared/core/flow/validate';

type NodeSpec = [id: string, kind: string, config: Record<string, unknown>];
const flow = (id: string, nodes: NodeSpec[], edges: [string, string][] = []) => ({
  schemaVersion: 1,
  id,
  name: id,
  roles: [],
  runMode: { mode: 'parallel', max: 10 },
  nodes: nodes.map(([nodeId, kind, config], i) => ({
    id: nodeId,
    kind,
    config,
    position: { x: i * 100, y: 0 },
  })),
  edges: edges.map(([from, to], i) => ({
    id: `e${i}`,
    from: { node: from, port: 'out' },
    to: { node: to, port: 'in' },
  })),
});

const reply: NodeSpec = ['reply', 'action.http-response', {}];
const endpoint = (id: string, config: Record<string, unknown>): NodeSpec => [id, 'trigger.http', config];
const warningsOf = (f: ReturnType<typeof flow>, sitesWithoutToken?: string[]) =>
  validateFlow(f, [], sitesWithoutToken ? { sitesWithoutToken } : {}).filter(
    (p) => p.code === 'flow.endpoint_without_token',
  );

describe('HTTP endpoints on a site without a token', () => {
  const asking = flow(
    'hooks',
    [endpoint('open', { path: '/status', auth: 'open' }), endpoint('door', { path: '/door/:id' }), reply],
    [
      ['door', 'reply'],
      ['open', 'reply'],
    ],
  );

  it('warns once per flow, on its first endpoint that asks for the token, naming the sites and the screen', () => {
    const [warning, ...more] = warningsOf(asking, ['home', 'barn']);
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ severity: 'warning', flowId: 'hooks', nodeId: 'door', path: 'auth' });
    expect(warning!.message).toBe(
      'Sites "home", "barn" name no HTTP token, so this flow’s endpoints that ask for it answer 503 there and never start the flow.',
    );
    expect(warning!.hint).toBe(
      'Set the site’s token in the app (Deploy view, pick the site, Gateway HTTP token) and deploy again, or set the endpoint open.',
    );
    expect(warningsOf(asking, ['home'])[0]!.message).toMatch(/^Site "home" names no HTTP token/);
  });

  it('says nothing when every site names a token, when not told about sites, or when every endpoint is open', () => {
    expect(warningsOf(asking, [])).toEqual([]);
    expect(warningsOf(asking)).toEqual([]);
    const open = flow('open', [endpoint('in', { path: '/status', auth: 'open' }), reply], [['in', 'reply']]);
    expect(warningsOf(open, ['home'])).toEqual([]);
  });
});
