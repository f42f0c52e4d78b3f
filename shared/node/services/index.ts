import type { FieldgraphServices } from '../../core/api';
import { createAppService } from './app';
import type { ServiceContext, WithDispose } from './context';
import { createProjectService } from './project';
import { createSecretsService } from './secrets';
import { createCommissionService } from './commission';
import { createDiscoveryServices } from './discovery';
import { createCatalogService, createFlowService } from './flow';
import { createLibraryService } from './library';
import { createDeployService } from './deploy';
import { createInspectorService } from './broker-inspector';
import { createLiveService } from './live';
import { createDevicePageService } from './device-page';
import { createGatewaysService } from './gateways';

export type { WithDispose, ServiceContext } from './context';

/**
 * The services of one program run: every area of the API contract, each with `dispose()`, and
 * `dispose()` for all of them. The program calls it when it stops (its signals, its window);
 * services never watch process signals themselves.
 */
export type RunningServices = {
  [Area in keyof FieldgraphServices]: WithDispose<FieldgraphServices[Area]>;
} & {
  dispose(): Promise<void>;
};

/** For an area that starts nothing (files are written as it goes; nothing stays open). */
const holdsNothing = <Area extends object>(area: Area): WithDispose<Area> =>
  Object.assign(area, { dispose: async () => {} });

/** Composes every service area; the desktop app and the web app both call this. */
export const createServices = (ctx: ServiceContext): RunningServices => {
  const { discovery, demo, devices, brokers } = createDiscoveryServices(ctx);
  const { openProjectModels, ...project } = createProjectService(ctx);
  const areas = {
    discovery,
    // The demo's brokers and virtual devices belong to discovery, which stops them.
    demo: holdsNothing(demo),
    app: holdsNothing(createAppService(ctx)),
    project: holdsNothing(project),
    secrets: holdsNothing(createSecretsService(ctx)),
    // The wizard lists the serial ports discovery knows (the demo's, added paths) beside its own.
    commission: createCommissionService(ctx, {
      knownPorts: () =>
        devices().flatMap((d) => d.sightings.filter((s) => s.source === 'usb').map((s) => s.key)),
    }),
    flow: holdsNothing(createFlowService()),
    catalog: holdsNothing(createCatalogService()),
    // The editor's library includes the open project's models/, as the project store holds them.
    library: holdsNothing(createLibraryService(ctx, { openProjectModels })),
    // The deploy area lists gateways from the one discovery registry the app runs.
    deploy: holdsNothing(createDeployService(ctx, { devices })),
    // The inspector defaults to the broker discovery listens to (the site's, or the demo's).
    inspector: createInspectorService(ctx, { brokers }),
    live: createLiveService(ctx),
    device: createDevicePageService(ctx, { devices, brokers }),
    gateways: createGatewaysService(ctx, { devices, brokers }),
  };
  let disposing: Promise<void> | undefined;
  return {
    ...areas,
    dispose: () =>
      (disposing ??= (async () => {
        // What uses discovery's brokers stops first; discovery (and the demo) last.
        const { discovery: last, ...first } = areas;
        const stopAll = (list: { dispose(): Promise<void> }[]) =>
          Promise.all(
            list.map((area) =>
              area
                .dispose()
                .catch((error: unknown) =>
                  ctx.log.warn('a service did not stop cleanly', { error: String(error) }),
                ),
            ),
          );
        await stopAll(Object.values(first));
        await stopAll([last]);
      })()),
  };
};
