import type { FieldgraphServices } from '../../core/api';
import { createAppService } from './app';
import type { ServiceContext } from './context';
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

export type { ServiceContext } from './context';

/** Composes every service area; the desktop app and the web app both call this. */
export const createServices = (ctx: ServiceContext): FieldgraphServices => {
  const { discovery, demo, devices, brokers } = createDiscoveryServices(ctx);
  return {
    discovery,
    demo,
    app: createAppService(ctx),
    project: createProjectService(ctx),
    secrets: createSecretsService(ctx),
    // The wizard lists the serial ports discovery knows (the demo's, added paths) beside its own.
    commission: createCommissionService(ctx, {
      knownPorts: () =>
        devices().flatMap((d) => d.sightings.filter((s) => s.source === 'usb').map((s) => s.key)),
    }),
    flow: createFlowService(),
    catalog: createCatalogService(),
    library: createLibraryService(ctx),
    // The deploy area lists gateways from the one discovery registry the app runs.
    deploy: createDeployService(ctx, { devices }),
    // The inspector defaults to the broker discovery listens to (the site's, or the demo's).
    inspector: createInspectorService(ctx, { brokers }),
    live: createLiveService(ctx),
    device: createDevicePageService(ctx, { devices, brokers }),
    gateways: createGatewaysService(ctx, { devices, brokers }),
  };
};
