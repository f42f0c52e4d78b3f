/**
 * "Passes every check and deploys healthy, yet never runs": a flow waits for the motion sensor's
 * `detected` event, but the ESPHome node bound to the role only reports the `motion` property.
 * The capability has both, so only a check against the bound device finds the gap.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rolesInScope } from '../../../../../shared/core/flow/roles';
import { roleUsesOf, validateFlow } from '../../../../../shared/core/flow/validate';
import type { Flow } from '../../../../../shared/core/flow/schema';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { providedFor } from '../../../../../shared/core/model/provides';
import { siteReadiness } from '../../../../../shared/core/model/readiness';
import type { Device, Role } from '../../../../../shared/core/model/schemas';
import { toSiteDevice } from '../../../../../shared/core/registry/to-site-device';
import type { DiscoveredDevice } from '../../../../../shared/core/registry/types';
import { loadLibrary } from '../../../../../shared/node/library/load';

const recorded = JSON.parse(
  readFileSync('test/fixtures/registry/demo-devices.json', 'utf8'),
) as DiscoveredDevice[];

let catalog: Catalog;
let sensor: Device;
beforeAll(async () => {
  const lib = await loadLibrary();
  catalog = createCatalog(lib.capabilities, lib.models);
  const r = toSiteDevice(
    recorded.find((d) => d.name === 'Demo sensor')!,
    catalog,
  );
  if (!r.ok) throw new Error(r.reason);
  sensor = r.device;
});

const role: Role = { id: 'hall-motion', title: 'Hallway motion', capability: 'motion@1' };
const flowWith = (kind: string, config: Record<string, unknown>): Flow => ({
  schemaVersion: 1,
  id: 'hall',
  name: 'Hall',
  roles: ['hall-motion'],
  runMode: { mode: 'single', max: 10 },
  nodes: [
    { id: 't', kind, config: { role: 'hall-motion', ...config }, position: { x: 0, y: 0 } },
    { id: 'l', kind: 'action.log', config: {}, position: { x: 200, y: 0 } },
  ],
  edges: [{ id: 't-l', from: { node: 't', port: 'out' }, to: { node: 'l', port: 'in' } }],
});

describe('checks against what the bound device provides', () => {
  it('finds the event the ESPHome motion sensor never sends, in the problems and in readiness', () => {
    const flow = flowWith('trigger.device-event', { event: 'detected' });
    const scope = rolesInScope([role], catalog);
    const bindings = [{ role: 'hall-motion', device: sensor.id }];
    // Against the capability alone the flow passes: that is how it deployed "healthy".
    expect(validateFlow(flow, scope).filter((p) => p.severity === 'error')).toEqual([]);
    const provided = providedFor(role, bindings[0], [sensor], catalog)!;
    expect(provided).toMatchObject({ implementation: 'binary_sensor_motion', events: [] });
    expect(provided.properties.motion).toEqual({ observe: true, write: false });

    const problems = validateFlow(flow, scope, { provided: new Map([['hall-motion', provided]]) });
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: 'flow.not_provided',
        severity: 'error',
        nodeId: 't',
        path: 'event',
        message: expect.stringMatching(
          /does not send the event “detected”; it reports the property “motion”/,
        ),
      }),
    );
    const readiness = siteReadiness([role], bindings, [sensor], catalog, roleUsesOf([flow]));
    expect(readiness.ready).toBe(false);
    expect(readiness.roles[0]).toMatchObject({ state: 'unfit', device: sensor.id });
    expect(readiness.missing[0]).toMatch(/Hallway motion.*does not send the event “detected”/);
    // Without the flows' uses, readiness judges the binding alone and calls it ready.
    expect(siteReadiness([role], bindings, [sensor], catalog).ready).toBe(true);
  });

  it('passes a trigger on the property the device reports', () => {
    const flow = flowWith('trigger.property-change', { property: 'motion' });
    const bindings = [{ role: 'hall-motion', device: sensor.id }];
    const provided = providedFor(role, bindings[0], [sensor], catalog)!;
    const problems = validateFlow(flow, rolesInScope([role], catalog), {
      provided: new Map([['hall-motion', provided]]),
    });
    expect(problems.filter((p) => p.code === 'flow.not_provided')).toEqual([]);
    expect(siteReadiness([role], bindings, [sensor], catalog, roleUsesOf([flow])).ready).toBe(true);
  });
});
