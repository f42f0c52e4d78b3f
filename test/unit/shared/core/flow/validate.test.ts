import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../../../../../shared/core/model/catalog';
import type { Capability } from '../../../../../shared/core/model/schemas';
import { rolesInScope } from '../../../../../shared/core/flow/roles';
import { validateFlow } from '../../../../../shared/core/flow/validate';

const root = join(import.meta.dirname, '../../../../..');
const capabilities = readdirSync(join(root, 'resources/library/capabilities')).map(
  (f) => JSON.parse(readFileSync(join(root, 'resources/library/capabilities', f), 'utf8')) as Capability,
);
const roles = rolesInScope(
  [
    { id: 'hall-motion', capability: 'motion@1' },
    { id: 'hall-light', capability: 'switch@1' },
    { id: 'room-temp', capability: 'temperature@1' },
    { id: 'button', capability: 'button@1' },
  ],
  createCatalog(capabilities, []),
);

const brokenDir = join(root, 'test/fixtures/flows/broken');
const broken = readdirSync(brokenDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    file: f,
    ...(JSON.parse(readFileSync(join(brokenDir, f), 'utf8')) as {
      expected: { code: string; nodeId?: string };
      flow: unknown;
      flowIds?: string[];
    }),
  }));

describe('the validator against the corpus of broken flows', () => {
  it('has a corpus covering every problem the issue names', () => {
    const codes = new Set(broken.map((b) => b.expected.code));
    for (const code of [
      'flow.unknown_role',
      'flow.unknown_member',
      'flow.type_mismatch',
      'flow.expression_type',
      'flow.unreachable',
      'flow.no_trigger',
      'flow.cycle_without_delay',
      'flow.missing_config',
      'flow.unconverted_node',
    ]) {
      expect(codes).toContain(code);
    }
  });

  it.each(broken)('$file reports $expected.code', ({ expected, flow, flowIds }) => {
    const problems = validateFlow(flow, roles, flowIds ? { flowIds } : {});
    const match = problems.find((p) => p.code === expected.code);
    expect(match, JSON.stringify(problems, null, 1)).toBeDefined();
    if (expected.nodeId) expect(match?.nodeId).toBe(expected.nodeId);
    expect(match?.message.length).toBeGreaterThan(10);
    expect(match?.hint.length).toBeGreaterThan(5);
    // People read the message: nodes are named by what they are, not by their generated ids.
    if (expected.nodeId && expected.code !== 'flow.duplicate_id')
      expect(match?.message).not.toContain(`"${expected.nodeId}"`);
  });

  it('names an unreachable node by its kind and its role’s title', () => {
    const titled = roles.map((r) => (r.name === 'hall-light' ? { ...r, title: 'Hall light' } : r));
    const problems = validateFlow(
      {
        schemaVersion: 1,
        id: 'f',
        name: 'f',
        roles: ['hall-motion', 'hall-light'],
        runMode: { mode: 'single', max: 10 },
        nodes: [
          {
            id: 't',
            kind: 'trigger.device-event',
            config: { role: 'hall-motion', event: 'detected' },
            position: { x: 0, y: 0 },
          },
          { id: 'n-fggmk13p', kind: 'action.log', config: { role: 'hall-light' }, position: { x: 0, y: 0 } },
        ],
        edges: [],
      },
      titled,
    );
    const unreachable = problems.find((p) => p.code === 'flow.unreachable');
    expect(unreachable?.nodeId, JSON.stringify(problems)).toBe('n-fggmk13p');
    expect(unreachable?.message).toMatch(/^No trigger leads to “.+ · Hall light”, so it never runs\.$/);
    expect(unreachable?.message).not.toContain('n-fggmk13p');
  });

  it('reports config paths and ports where they apply', () => {
    const rule = broken.find((b) => b.file === 'expression-in-switch-rule.json')!;
    expect(validateFlow(rule.flow, roles).find((p) => p.code === 'flow.expression_type')?.path).toBe(
      'rules.1.when',
    );
    const port = broken.find((b) => b.file === 'unknown-port.json')!;
    expect(validateFlow(port.flow, roles).find((p) => p.code === 'flow.unknown_port')).toMatchObject({
      port: 'maybe',
      edgeId: 'i-maybe-l-in',
    });
  });
});

describe('the validator on good flows', () => {
  const good = {
    schemaVersion: 1,
    id: 'good',
    name: 'Hall light',
    roles: ['hall-motion', 'hall-light', 'room-temp'],
    runMode: { mode: 'restart', max: 1 },
    nodes: [
      {
        id: 'motion',
        kind: 'trigger.device-event',
        config: { role: 'hall-motion', event: 'detected' },
        position: { x: 0, y: 0 },
      },
      {
        id: 'warm',
        kind: 'logic.if',
        config: { condition: 'roles["room-temp"].temperature > 18' },
        position: { x: 0, y: 0 },
      },
      {
        id: 'on',
        kind: 'action.set-property',
        config: { role: 'hall-light', property: 'on', value: 'true' },
        position: { x: 0, y: 0 },
      },
      { id: 'wait', kind: 'logic.delay', config: { seconds: 120 }, position: { x: 0, y: 0 } },
      {
        id: 'off',
        kind: 'action.set-property',
        config: { role: 'hall-light', property: 'on', value: 'false' },
        position: { x: 0, y: 0 },
      },
      {
        id: 'temp',
        kind: 'trigger.property-change',
        config: { role: 'room-temp', property: 'temperature', condition: 'payload > 30.0' },
        position: { x: 0, y: 0 },
      },
      { id: 'cmp', kind: 'logic.compare', config: { operator: '>', value: 35 }, position: { x: 0, y: 0 } },
      { id: 'loop-delay', kind: 'logic.delay', config: { seconds: 1 }, position: { x: 0, y: 0 } },
    ],
    edges: [
      { id: 'e1', from: { node: 'motion', port: 'out' }, to: { node: 'warm', port: 'in' } },
      { id: 'e2', from: { node: 'warm', port: 'true' }, to: { node: 'on', port: 'in' } },
      { id: 'e3', from: { node: 'on', port: 'out' }, to: { node: 'wait', port: 'in' } },
      { id: 'e4', from: { node: 'wait', port: 'out' }, to: { node: 'off', port: 'in' } },
      { id: 'e5', from: { node: 'temp', port: 'out' }, to: { node: 'cmp', port: 'in' } },
      { id: 'e6', from: { node: 'cmp', port: 'true' }, to: { node: 'loop-delay', port: 'in' } },
      { id: 'e7', from: { node: 'loop-delay', port: 'out' }, to: { node: 'cmp', port: 'in' } },
    ],
  };

  it('finds nothing wrong with a correct flow (a loop through a delay is fine)', () => {
    expect(validateFlow(good, roles)).toEqual([]);
  });

  it('validates a 1,000-node flow quickly enough to run on every edit', () => {
    const nodes = [
      good.nodes[0]!,
      ...Array.from({ length: 999 }, (_, i) => ({
        id: `n${i}`,
        kind: 'logic.if',
        config: { condition: `payload == null || ${i} > 3` },
        position: { x: i, y: 0 },
      })),
    ];
    const edges = nodes.slice(1).map((n, i) => ({
      id: `e${i}`,
      from: { node: nodes[i]!.id, port: i === 0 ? 'out' : 'true' },
      to: { node: n.id, port: 'in' },
    }));
    const big = { ...good, nodes, edges };
    const started = performance.now();
    const problems = validateFlow(big, roles);
    const ms = performance.now() - started;
    expect(problems).toEqual([]);
    const again = performance.now();
    validateFlow(big, roles);
    // Not timing assertions: printed so a slowdown is visible in the test log.
    console.info(
      `validated 1,000 nodes in ${ms.toFixed(1)} ms, again after an edit in ${(performance.now() - again).toFixed(1)} ms`,
    );
  });
});
