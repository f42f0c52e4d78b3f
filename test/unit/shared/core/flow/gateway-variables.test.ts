import { describe, expect, it } from 'vitest';
import { gatewayVariablesRead, gatewayVariablesSet } from '../../../../../shared/core/flow/gateway-variables';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import type { Flow, FlowNode } from '../../../../../shared/core/flow/schema';

const node = (id: string, kind: string, config: Record<string, unknown>): FlowNode => ({
  id,
  kind,
  config,
  position: { x: 0, y: 0 },
});
const flowOf = (id: string, nodes: FlowNode[]): Flow => ({
  schemaVersion: 1,
  id,
  name: id,
  roles: [],
  runMode: { mode: 'parallel', max: 10 },
  nodes: [node('t', 'trigger.manual', {}), ...nodes],
  edges: nodes.map((n, i) => ({
    id: `e${i}`,
    from: { node: i === 0 ? 't' : nodes[i - 1]!.id, port: 'out' },
    to: { node: n.id, port: 'in' },
  })),
});

const setter = flowOf('setter', [
  node('s', 'logic.set-variable', { name: 'mode', value: 'payload', scope: 'gateway' }),
  node('f', 'logic.set-variable', { name: 'local', value: 'payload' }),
]);
const reader = flowOf('reader', [
  node('if', 'logic.if', { condition: 'global.mode == "away" && global["armed"] == true' }),
]);

describe('gateway-wide variables at design time', () => {
  it('finds the names Set variable nodes of scope gateway write, and the names CEL reads', () => {
    expect(gatewayVariablesSet([setter, reader, null, { nodes: 3 }])).toEqual(['mode']);
    expect(gatewayVariablesRead('has(global.a) && global.b.c > 1 && global["d"] == "global.e"')).toEqual([
      'd',
      'a',
      'b',
    ]);
    expect(gatewayVariablesRead('vars.global.x + msg.global')).toEqual([]);
  });

  it('type-checks global.name as dynamic and warns, naming it, about a read no flow sets', () => {
    const gatewayVariables = new Set(gatewayVariablesSet([setter, reader]));
    const problems = validateFlow(reader, [], { gatewayVariables });
    expect(problems.map((p) => [p.code, p.severity, p.nodeId, p.message])).toEqual([
      [
        'flow.gateway_variable_unset',
        'warning',
        'if',
        'condition: reads the gateway-wide variable global.armed, which no flow of the package sets.',
      ],
    ]);
    // Without the package's names (one flow checked alone) nothing is guessed.
    expect(validateFlow(reader, [])).toEqual([]);
    expect(validateFlow(setter, [], { gatewayVariables })).toEqual([]);
  });

  it('refuses a scope that is neither flow nor gateway', () => {
    const bad = flowOf('bad', [node('s', 'logic.set-variable', { name: 'x', value: '1', scope: 'site' })]);
    expect(validateFlow(bad, []).map((p) => [p.code, p.nodeId])).toEqual([['flow.invalid_config', 's']]);
  });
});
