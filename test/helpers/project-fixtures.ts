import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createModelValidation,
  type ProjectFileInput,
  type ProjectValidator,
} from '../../shared/core/project';
import { loadLibrary } from '../../shared/node/library/load';

/** Folder of the per-version project fixtures. */
export const projectFixturesDir = join(import.meta.dirname, '..', 'fixtures', 'projects');

/** Reads a fixture folder into the file list loadProject takes (no guards: fixtures are trusted). */
export const readFixtureFiles = (dir: string): ProjectFileInput[] => {
  const files: ProjectFileInput[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else if (name.endsWith('.json')) files.push({ path, text: readFileSync(join(dir, path), 'utf8') });
    }
  };
  walk('');
  return files;
};

/** The project validation the app uses: the device-model validators over the built-in library. */
export const libraryValidation = async (): Promise<ProjectValidator> =>
  createModelValidation(await loadLibrary());
