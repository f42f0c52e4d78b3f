import { createDispatcher } from '../../shared/core/api/dispatch';
import { createEventHub } from '../../shared/core/api/events';
import type { Site } from '../../shared/core/model/schemas';
import { createDiscoverySession, loadMatchableModels } from '../../shared/node/discovery/session';
import { createEngineRunner } from '../../shared/node/gateway/engine-runner';
import { loadProjectFlowSet } from '../../shared/node/gateway/project';
import { startGateway } from '../../shared/node/gateway/runtime';
import { silentLogger } from '../../shared/node/log';
import { createServices } from '../../shared/node/services';
import { toFlowDocument } from '../../renderer/src/flows/documents';

/**
 * The path a site takes in the app, for tests that follow it with real parts: discovery on a
 * broker, a project saved through the project API exactly as the canvas writes it, a gateway
 * running that project.
 */

/** Registers what to undo once the test is done. */
type Cleanup = (fn: () => unknown) => void;

/** A discovery session listening on `brokerUrl`, as the app runs it; disposed by `cleanup`. */
export const discoverOn = async (brokerUrl: string, cleanup: Cleanup) => {
  const session = createDiscoverySession({
    log: silentLogger,
    models: await loadMatchableModels(silentLogger),
  });
  cleanup(() => session.dispose());
  await session.start({ mqttUrls: [brokerUrl] });
  return session;
};

/** What a test project holds: its roles, one flow as the canvas draws it, one site. */
export interface SiteProject {
  readonly name: string;
  readonly roles: ReadonlyArray<{ id: string; title: string; capability: string }>;
  readonly flow: Parameters<typeof toFlowDocument>[0];
  readonly site: Site;
}

/**
 * Creates the project in `dir` through the app's services (the dispatcher, results checked
 * against the API contract), puts the flow and the site in it and saves; returns what the save
 * said.
 */
export const saveProject = async (dataDir: string, dir: string, project: SiteProject) => {
  const dispatch = createDispatcher(
    createServices({ runtime: 'web', dataDir, hub: createEventHub(), log: silentLogger }),
    { checkResults: true },
  );
  const call = async (method: string, args: unknown = {}) => {
    const result = await dispatch(method, args, { transport: 'direct' });
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value as Record<string, unknown>;
  };
  await call('project.create', { path: dir, name: project.name });
  await call('project.setRoles', { roles: project.roles });
  const flow = toFlowDocument(project.flow);
  await call('project.putDocument', { kind: 'flows', id: project.flow.id, document: flow });
  await call('project.putDocument', { kind: 'sites', id: project.site.id, document: project.site });
  return call('project.save');
};

/** A gateway (in this process) on `brokerUrl` running the project in `dir`; stopped by `cleanup`. */
export const runProject = async (
  id: string,
  brokerUrl: string,
  dataDir: string,
  dir: string,
  cleanup: Cleanup,
) => {
  const gateway = await startGateway({
    id,
    broker: { url: brokerUrl },
    dataDir,
    log: silentLogger,
    createRunner: (set, io) => createEngineRunner(set, io, id),
  });
  cleanup(() => gateway.stop());
  await gateway.load(await loadProjectFlowSet(dir, silentLogger));
  return gateway;
};
