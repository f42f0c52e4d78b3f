import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Capability, DeviceModel, FlowRecord, ProjectFile, Site } from '../model';
import type { DocumentValidator, ProjectValidators } from './load';
import type { ProjectProblem } from './problems';

// `/implements/switch/properties/on` → `implements.switch.properties.on`; array indexes as [n].
const pointerToPath = (pointer: string): string =>
  pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');

const MAX_PROBLEMS_PER_FILE = 20;

/** A validator that reports where `schema` rejects a document, one problem per location. */
export const schemaValidator =
  (schema: TSchema, what: string): DocumentValidator =>
  (doc, file) => {
    const problems: ProjectProblem[] = [];
    const seen = new Set<string>();
    for (const error of Value.Errors(schema, doc)) {
      const path = pointerToPath(error.path);
      if (seen.has(path)) continue;
      seen.add(path);
      problems.push({
        code: 'project.invalid',
        severity: 'error',
        path: path ? `${file}: ${path}` : file,
        message: `${error.message} (${what} schema).`,
        hint: `Compare with resources/schemas and fix the value at ${path || 'the top level'}.`,
      });
      if (problems.length >= MAX_PROBLEMS_PER_FILE) break;
    }
    return problems;
  };

/** The device-model schemas as project validators: fieldgraph.json, capabilities, models, flows, sites. */
export const modelValidators: ProjectValidators = {
  meta: schemaValidator(ProjectFile, 'project file'),
  capabilities: schemaValidator(Capability, 'capability'),
  models: schemaValidator(DeviceModel, 'device model'),
  flows: schemaValidator(FlowRecord, 'flow'),
  sites: schemaValidator(Site, 'site'),
};
