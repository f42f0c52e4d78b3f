import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_SCHEMA_VERSION,
  loadProject,
  migrateProject,
  migrations,
  readSchemaVersion,
  stableStringify,
  type LoadedProject,
  type ProjectValidator,
} from '../../../../../shared/core/project';
import {
  libraryValidation,
  projectFixturesDir,
  readFixtureFiles,
} from '../../../../helpers/project-fixtures';

let validate: ProjectValidator;
beforeAll(async () => {
  validate = await libraryValidation();
});

const load = (version: number): LoadedProject => {
  const outcome = loadProject(readFixtureFiles(join(projectFixturesDir, `v${version}`)), validate);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
  return outcome.project;
};
const contentOf = (p: LoadedProject) => stableStringify({ meta: p.meta, documents: p.documents });

describe('project migrations', () => {
  it('has one fixture per version, 1 … current, and one step between each pair', () => {
    const versions = readdirSync(projectFixturesDir)
      .filter((n) => /^v\d+$/.test(n))
      .map((n) => Number(n.slice(1)))
      .sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: CURRENT_SCHEMA_VERSION }, (_, i) => i + 1));
    expect(migrations.map((m) => m.from)).toEqual(versions.slice(0, -1));
  });

  it('migrates every older fixture to exactly the current fixture, step by step, without problems', () => {
    const current = load(CURRENT_SCHEMA_VERSION);
    expect(current.problems).toEqual([]);
    expect(current.migrations).toEqual([]);
    for (let v = 1; v < CURRENT_SCHEMA_VERSION; v++) {
      const migrated = load(v);
      expect(migrated.diskSchemaVersion).toBe(v);
      expect(migrated.migrations).toHaveLength(CURRENT_SCHEMA_VERSION - v);
      expect(migrated.problems).toEqual([]);
      expect(contentOf(migrated)).toBe(contentOf(current));
    }
  });

  it('turns v1 "secret:<ref>" strings into references and gives every document its id', () => {
    const v2 = load(1);
    expect(v2.documents.sites.workshop.wifi).toEqual({
      ssid: 'Workshop-IoT',
      password: { secret: 'site/workshop/wifi' },
    });
    expect(v2.documents.flows.lights.id).toBe('lights');
    expect(v2.meta.schemaVersion).toBe(2);
    expect(v2.meta).not.toHaveProperty('version');
  });

  it('leaves its input untouched and refuses to migrate a newer project', () => {
    const raw = {
      meta: { version: 1, name: 'x' },
      documents: { flows: { f: {} }, models: {}, sites: {} },
    };
    const before = stableStringify(raw);
    migrateProject(raw, 1);
    expect(stableStringify(raw)).toBe(before);
    expect(() => migrateProject(raw, CURRENT_SCHEMA_VERSION + 1)).toThrow(RangeError);
  });

  it('reads schemaVersion, the v1 "version" field, and nothing else', () => {
    expect(readSchemaVersion({ schemaVersion: 2 })).toBe(2);
    expect(readSchemaVersion({ version: 1 })).toBe(1);
    expect(readSchemaVersion({ schemaVersion: '2' })).toBeNull();
    expect(readSchemaVersion({ schemaVersion: 0 })).toBeNull();
    expect(readSchemaVersion({})).toBeNull();
  });
});
