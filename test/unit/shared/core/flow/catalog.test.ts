import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../../../shared/core/expr/cel';
import {
  catalogEntries,
  configWithDefaults,
  inputPortsOf,
  layoutNode,
  nodeKinds,
  outputPortsOf,
} from '../../../../../shared/core/flow/catalog';

const issueKinds = [
  'trigger.device-event',
  'trigger.property-change',
  'trigger.interval',
  'trigger.cron',
  'trigger.sun',
  'trigger.mqtt',
  'trigger.manual',
  'trigger.gateway-started',
  'logic.if',
  'logic.switch',
  'logic.compare',
  'logic.delay',
  'logic.wait-event',
  'logic.debounce',
  'logic.throttle',
  'logic.set-variable',
  'logic.transform',
  'logic.counter',
  'logic.time-window',
  'logic.join',
  'action.device-action',
  'action.set-property',
  'action.mqtt-publish',
  'action.http-request',
  'action.log',
  'action.run-flow',
  'action.return',
  'action.stop',
];

describe('the node catalog', () => {
  it('defines every kind the issue lists, each once', () => {
    const kinds = nodeKinds.map((k) => k.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const k of issueKinds) expect(kinds).toContain(k);
  });

  it.each(nodeKinds.map((k) => [k.kind, k] as const))(
    '%s is complete: docs, ports, defaults, layout',
    (_, kind) => {
      expect(kind.title.length).toBeGreaterThan(1);
      expect(kind.doc.length).toBeGreaterThan(20);
      expect(kind.icon).toMatch(/\S/);
      const config = configWithDefaults(kind, {});
      expect(
        kind.category === 'trigger' ? inputPortsOf(kind, config) : inputPortsOf(kind, config).length,
      ).toEqual(kind.category === 'trigger' ? [] : expect.any(Number));
      const layout = layoutNode(kind, config);
      const ports = [...inputPortsOf(kind, config), ...outputPortsOf(kind, config)].map((p) => p.name);
      expect(layout.handles.map((h) => h.id)).toEqual(ports);
      for (const h of layout.handles) {
        expect(h.y).toBeGreaterThanOrEqual(0);
        expect(h.y).toBeLessThan(layout.height);
      }
      // Every required field without a default is one the inspector must ask for.
      const missing = [...Value.Errors(kind.config, config)].map((e) => e.path);
      for (const path of missing)
        expect((kind.config.required ?? []).map((r: string) => `/${r}`)).toContain(path);
    },
  );

  it('builds every kind with a valid config into a runtime', () => {
    const samples: Record<string, Record<string, unknown>> = {
      'trigger.device-event': { role: 'r', event: 'e' },
      'trigger.property-change': { role: 'r', property: 'p' },
      'trigger.cron': { cron: '*/5 * * * *' },
      'trigger.sun': { latitude: 1, longitude: 2 },
      'trigger.mqtt': { topic: 'a/b' },
      'trigger.http': { path: '/hooks/door/:id' },
      'trigger.panel': { widget: 'Hall lamp' },
      'action.panel-show': { widget: 'Hall temperature' },
      'logic.if': { condition: 'true' },
      'logic.wait-event': { role: 'r', event: 'e' },
      'logic.set-variable': { name: 'x' },
      'logic.time-window': { after: '08:00', before: '09:00' },
      'action.device-action': { role: 'r', action: 'a' },
      'action.set-property': { role: 'r', property: 'p', value: 'true' },
      'action.mqtt-publish': { topic: 'x' },
      'action.http-request': { url: 'http://127.0.0.1/' },
      'action.run-flow': { flow: 'f' },
      'nodered.unconverted': { type: 'function', reason: 'It runs JavaScript.' },
    };
    for (const kind of nodeKinds) {
      const config = configWithDefaults(kind, samples[kind.kind] ?? {});
      expect(Value.Check(kind.config, config), kind.kind).toBe(true);
      if (kind.placeholder) {
        // A stand-in never runs: the gateway refuses the flow, naming the node and the fix.
        expect(() => kind.create({ id: 'n', config }, { compile: compileExpression })).toThrow(
          /not converted.*Rebuild it/,
        );
        continue;
      }
      const runtime = kind.create({ id: 'n', config }, { compile: compileExpression });
      expect(kind.category === 'trigger' ? runtime.trigger : runtime.receive, kind.kind).toBeDefined();
    }
  });

  it('switch ports follow its rules and the node grows to fit them', () => {
    const kind = nodeKinds.find((k) => k.kind === 'logic.switch')!;
    const rules = Array.from({ length: 6 }, (_, i) => ({ port: `r${i}`, when: 'true' }));
    expect(outputPortsOf(kind, { rules }).map((p) => p.name)).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
      'otherwise',
    ]);
    expect(layoutNode(kind, { rules }).height).toBeGreaterThan(kind.size.height);
  });

  it('lists entries as plain JSON (what catalog.list sends)', () => {
    const entries = catalogEntries();
    expect(JSON.parse(JSON.stringify(entries))).toEqual(entries);
    expect(entries.map((e) => e.category)).toEqual(
      [...entries.map((e) => e.category)].sort(
        (a, b) => ['trigger', 'logic', 'action'].indexOf(a) - ['trigger', 'logic', 'action'].indexOf(b),
      ),
    );
  });
});
