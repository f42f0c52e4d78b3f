import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolesInScope } from '../../../../../shared/core/flow/roles';
import type { Flow } from '../../../../../shared/core/flow/schema';
import { validateFlow } from '../../../../../shared/core/flow/validate';
import { createCatalog } from '../../../../../shared/core/model/catalog';
import type { Capability } from '../../../../../shared/core/model/schemas';
import { bench, lastTrace } from '../engine/harness';

const root = join(import.meta.dirname, '../../../../..');
const capabilities = readdirSync(join(root, 'resources/library/capabilities')).map(
  (f) => JSON.parse(readFileSync(join(root, 'resources/library/capabilities', f), 'utf8')) as Capability,
);
const roles = rolesInScope(
  [
    { id: 'hall-motion', capability: 'motion@1' },
    { id: 'hall-light', capability: 'switch@1' },
    { id: 'living-temperature', capability: 'temperature@1' },
  ],
  createCatalog(capabilities, []),
);
const flowsDir = join(root, 'resources/samples/demo-site/flows');
const sample = (id: string) => JSON.parse(readFileSync(join(flowsDir, `${id}.json`), 'utf8')) as Flow;

describe('demo-site sample flows', () => {
  it.each(readdirSync(flowsDir))('%s validates without problems', (file) => {
    expect(validateFlow(JSON.parse(readFileSync(join(flowsDir, file), 'utf8')), roles)).toEqual([]);
  });

  it('motion turns the light on, and off two minutes after the last motion', () => {
    const b = bench([sample('motion-light')]);
    b.engine.start();
    b.engine.deliverPropertyChange('hall-motion', 'motion', true);
    b.clock.advance(60_000);
    b.engine.deliverPropertyChange('hall-motion', 'motion', false);
    b.engine.deliverPropertyChange('hall-motion', 'motion', true);
    b.clock.advance(119_000);
    expect(b.writes.map((w) => w.value)).toEqual([true, true]);
    b.clock.advance(1000);
    expect(b.writes.map((w) => w.value)).toEqual([true, true, false]);
    expect(b.traces.map((t) => t.outcome)).toEqual(['cancelled', 'finished']);
  });

  it('temperature above 28 °C publishes one alert per five minutes', () => {
    const b = bench([sample('temperature-alert')]);
    b.engine.start();
    for (const t of [25, 29, 30, 27, 31])
      b.engine.deliverPropertyChange('living-temperature', 'temperature', t);
    b.clock.advance(300_000);
    b.engine.deliverPropertyChange('living-temperature', 'temperature', 29.5);
    expect(
      b.published.map((p) => [p.topic, (p.payload as { temperature: number }).temperature, p.qos]),
    ).toEqual([
      ['demo/alerts/temperature', 29, 1],
      ['demo/alerts/temperature', 29.5, 1],
    ]);
    expect(lastTrace(b)?.outcome).toBe('finished');
  });
});
