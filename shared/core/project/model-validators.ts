import { Value } from '@sinclair/typebox/value';
import {
  libraryDocumentKind,
  Capability,
  DeviceModel,
  ProjectFile,
  createCatalog,
  validateCapabilitySet,
  validateDeviceModelSet,
  validateProjectFile,
  validateSite,
  type Problem,
} from '../model';
import { rolesInScope } from '../flow/roles';
import { declaredEndpoints } from '../flow/validate-http';
import { declaredWidgets } from '../flow/validate-panel';
import { gatewayVariablesSet } from '../flow/gateway-variables';
import { validateFlow } from '../flow/validate';
import { PROJECT_FILE } from './layout';
import type { ProjectValidator } from './load';
import type { ProjectProblem } from './problems';

// The site file names its HTTP token by reference: `"http": {"token": {"secret": "<name>"}}`.
const siteNamesHttpToken = (site: unknown): boolean => {
  const secret = (site as { http?: { token?: { secret?: unknown } } } | null)?.http?.token?.secret;
  return typeof secret === 'string' && secret !== '';
};

/** The built-in library a project is checked against (capabilities and device models). */
export interface LibraryEntries {
  readonly capabilities: readonly Capability[];
  readonly models: readonly DeviceModel[];
}

// Some validators locate by JSON pointer (`/runMode/max`); problems show dotted paths (`runMode.max`).
const pointerToPath = (path: string): string =>
  path.startsWith('/')
    ? path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .join('.')
    : path;

const toProjectProblem = (p: Problem, file: string): ProjectProblem => {
  const where = p.file ?? file;
  return {
    code: p.code,
    severity: p.severity,
    path: p.path ? `${where}: ${p.path}` : where,
    message: p.message.charAt(0).toUpperCase() + p.message.slice(1) + (p.message.endsWith('.') ? '' : '.'),
    ...(p.hint ? { hint: p.hint } : {}),
  };
};

/**
 * Validates a project with the device-model validators against `library` plus the project's
 * own capabilities and models (files in models/ whose id looks like `name@1` are capabilities):
 * fieldgraph.json and its roles, every model and capability, every site (models, rooms, role
 * bindings) and every flow against the project's roles. Every problem names its file and
 * location (flow problems by node or edge id).
 */
export const createModelValidation =
  (library: LibraryEntries): ProjectValidator =>
  (project) => {
    const entries = Object.entries(project.documents.models).map(([id, value]) => ({
      file: `models/${id}.json`,
      value,
    }));
    const capabilities = entries.filter((e) => libraryDocumentKind(e.value) === 'capability');
    const models = entries.filter((e) => libraryDocumentKind(e.value) === 'model');
    // Only entries that pass their schema join the catalog; the others are reported below.
    const validCapabilities = capabilities
      .map((e): unknown => e.value)
      .filter((v) => Value.Check(Capability, v)) as Capability[];
    const validModels = models
      .map((e): unknown => e.value)
      .filter((v) => Value.Check(DeviceModel, v)) as DeviceModel[];
    const catalog = createCatalog(
      [...library.capabilities, ...validCapabilities],
      [...library.models, ...validModels],
    );
    const out: ProjectProblem[] = [];
    const add = (problems: Problem[], file: string) =>
      out.push(...problems.map((p) => toProjectProblem(p, file)));
    add(validateProjectFile(project.meta, { file: PROJECT_FILE, catalog }), PROJECT_FILE);
    add(validateCapabilitySet(capabilities, catalog), 'models/');
    add(validateDeviceModelSet(models, catalog), 'models/');
    const roles = Value.Check(ProjectFile, project.meta) ? project.meta.roles : [];
    for (const [id, site] of Object.entries(project.documents.sites)) {
      const file = `sites/${id}.json`;
      add(validateSite(site, { file, catalog, roles }), file);
    }
    const scope = rolesInScope(roles, catalog);
    const endpoints = declaredEndpoints(Object.values(project.documents.flows));
    const gatewayVariables = new Set(gatewayVariablesSet(Object.values(project.documents.flows)));
    const widgets = declaredWidgets(Object.values(project.documents.flows));
    const sitesWithoutToken = Object.entries(project.documents.sites)
      .filter(([, site]) => !siteNamesHttpToken(site))
      .map(([id]) => id);
    for (const [id, flow] of Object.entries(project.documents.flows)) {
      const file = `flows/${id}.json`;
      const options = { endpoints, gatewayVariables, widgets, sitesWithoutToken };
      for (const p of validateFlow(flow, scope, options)) {
        const where = p.nodeId
          ? `nodes.${p.nodeId}${p.path ? `.config.${p.path}` : p.port ? `.ports.${p.port}` : ''}`
          : p.edgeId
            ? `edges.${p.edgeId}`
            : pointerToPath(p.path ?? '');
        out.push(
          toProjectProblem(
            { code: p.code, severity: p.severity, path: where, message: p.message, hint: p.hint },
            file,
          ),
        );
      }
    }
    return out;
  };
