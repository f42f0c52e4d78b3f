import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCatalog, type Catalog } from '../../../../../shared/core/model/catalog';
import { matchModels } from '../../../../../shared/core/model/discovery';
import { compileDevice } from '../../../../../shared/core/model/observe';
import type { DeviceModel } from '../../../../../shared/core/model/schemas';
import {
  validateCapability,
  validateDeviceModel,
  validateProjectFile,
  validateSite,
} from '../../../../../shared/core/model/validate';
import { importThingDescription } from '../../../../../shared/core/model/wot/import';
import { loadLibrary } from '../../../../../shared/node/library/load';

let catalog: Catalog;
let models: DeviceModel[];
beforeAll(async () => {
  const lib = await loadLibrary();
  models = [...lib.models];
  catalog = createCatalog(lib.capabilities, lib.models);
});

// Hostile input: any JSON, and library files with one value replaced by any JSON.
const mutated = () =>
  fc.tuple(fc.nat(), fc.nat(), fc.jsonValue()).map(([which, at, value]) => {
    const model = structuredClone(models[which % models.length]!) as unknown as Record<string, unknown>;
    const paths: string[][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          paths.push([...path, k]);
          walk(v, [...path, k]);
        }
      }
    };
    walk(model, []);
    const path = paths[at % paths.length]!;
    let cur = model as Record<string, unknown>;
    for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
    cur[path[path.length - 1]!] = value;
    return model;
  });

describe('validators and importers on hostile input', () => {
  it('never throw, and always locate what they reject', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutated()), (value) => {
        for (const problems of [
          validateDeviceModel(value, { catalog, file: 'x.json' }),
          validateCapability(value, { catalog }),
          validateSite(value, { catalog }),
          validateProjectFile(value, { catalog }),
        ]) {
          for (const p of problems) {
            expect(typeof p.path).toBe('string');
            expect(p.message.length).toBeGreaterThan(0);
            expect(p.hint.length).toBeGreaterThan(0);
          }
        }
        const imported = importThingDescription(value, catalog);
        expect(typeof imported.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('decode any payload on any topic of a valid device without throwing', () => {
    const devices = models.map((model) =>
      compileDevice({
        model,
        variables: {
          topic: 't',
          prefix: 'p',
          base: 'homie/d',
          state_topic: 's',
          command_topic: 'c',
          gateway_id: 'g',
        },
      }),
    );
    const topics = devices.flatMap((d) => d.topicFilters.filter((t) => !t.includes('+') && !t.includes('#')));
    fc.assert(
      fc.property(fc.constantFrom(...topics), fc.oneof(fc.string(), fc.json()), (topic, payload) => {
        for (const d of devices) expect(Array.isArray(d.decode(topic, payload, () => {}))).toBe(true);
        expect(Array.isArray(matchModels(catalog, { kind: 'mqtt', topic, payload }))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
