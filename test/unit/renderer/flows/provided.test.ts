/**
 * The live problems check a flow against what the bound device provides: the ESPHome-like
 * demo sensor reports only the motion property, so a trigger on the `detected` event of the
 * role bound to it is a problem in the editor, not only at readiness.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../shared/core/model/catalog';
import { toSiteDevice } from '../../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../../shared/core/registry/types';
import { loadLibrary } from '../../../../shared/node/library/load';
import type { Design, SiteDevice } from '../../../../renderer/src/canvas/types';
import { rolesInScope } from '../../../../shared/core/flow/roles';
import { capabilityCatalog } from '../../../../renderer/src/flows/capabilities';
import { builtinCapabilities } from '../../../helpers/library';
import { providedByRole } from '../../../../renderer/src/flows/site-devices';
import { validateDesign } from '../../../../renderer/src/flows/validate';

const found = JSON.parse(
  readFileSync('test/fixtures/registry/demo-devices.json', 'utf8'),
) as DiscoveredDevice[];

let catalog: Catalog;
let sensor: SiteDevice;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
  const r = toSiteDevice(
    found.find((d) => d.name === 'Demo sensor')!,
    catalog,
  );
  if (!r.ok) throw new Error(r.reason);
  sensor = r.device;
});

const designWith = (kind: string, config: Record<string, unknown>, device?: string): Design => ({
  roles: [
    { id: 'hall-motion', title: 'Hallway motion', capability: 'motion@1', ...(device ? { device } : {}) },
  ],
  devices: device ? [sensor] : [],
  flows: [
    {
      id: 'hall',
      name: 'Hall',
      nodes: [
        { id: 't', kind, config: { role: 'hall-motion', ...config }, position: { x: 0, y: 0 } },
        { id: 'l', kind: 'action.log', config: {}, position: { x: 200, y: 0 } },
      ],
      edges: [{ id: 't-l', from: { node: 't', port: 'out' }, to: { node: 'l', port: 'in' } }],
      groups: [],
    },
  ],
});

describe('live problems against the bound device', () => {
  it('names the event the bound sensor never sends; unbound, the same flow passes', () => {
    const capabilities = builtinCapabilities();
    const bound = designWith('trigger.device-event', { event: 'detected' }, sensor.id);
    const scope = rolesInScope(bound.roles, capabilityCatalog(capabilities));
    const provided = providedByRole(bound.roles, bound.devices!, catalog);
    expect(Object.keys(provided)).toEqual(['hall-motion']);
    expect(provided['hall-motion']).toMatchObject({ events: [], properties: { motion: { observe: true } } });
    const problems = validateDesign(bound, scope, provided);
    expect(problems).toEqual([
      expect.objectContaining({
        flow: 'hall',
        node: 't',
        field: 'event',
        severity: 'error',
        message: expect.stringMatching(
          /“Demo sensor” does not send the event “detected”; it reports the property “motion”.*never run/,
        ),
      }),
    ]);
    // Through JSON (how the worker receives it when a value cannot be cloned) it is the same.
    expect(validateDesign(bound, scope, JSON.parse(JSON.stringify(provided)))).toEqual(problems);

    const unbound = designWith('trigger.device-event', { event: 'detected' });
    expect(providedByRole(unbound.roles, [], catalog)).toEqual({});
    expect(validateDesign(unbound, scope, {})).toEqual([]);
  });

  it('passes a trigger on the property the bound sensor reports', () => {
    const design = designWith('trigger.property-change', { property: 'motion' }, sensor.id);
    const provided = providedByRole(design.roles, design.devices!, catalog);
    expect(
      validateDesign(design, rolesInScope(design.roles, capabilityCatalog(builtinCapabilities())), provided),
    ).toEqual([]);
  });
});
