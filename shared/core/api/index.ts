/**
 * The API contract: every call the UI makes, as data. Both transports (Electron IPC and the
 * web app's WebSocket), the preload and the browser client are generated from these lists,
 * so UI code never writes a channel name. Add an area in `areas/` and list it here.
 */
import type { ClientOf, MethodNameOf, MethodSpec, ServicesOf } from './contract';
import { appMethods } from './areas/app';
import { projectEvents, projectMethods } from './areas/project';
import { secretsMethods } from './areas/secrets';
import { commissionEvents, commissionMethods } from './areas/commission';
import { demoMethods, discoveryEvents, discoveryMethods } from './areas/discovery';
import { catalogMethods, flowMethods } from './areas/flow';
import { libraryMethods } from './areas/library';
import { deployEvents, deployMethods } from './areas/deploy';
import { inspectorEvents, inspectorMethods } from './areas/broker-inspector';
import { liveEvents, liveMethods } from './areas/live';
import { deviceEvents, deviceMethods } from './areas/device';
import { gatewaysEvents, gatewaysMethods } from './areas/gateways';

/** Every method, grouped by area. */
export const contract = {
  app: appMethods,
  project: projectMethods,
  secrets: secretsMethods,
  commission: commissionMethods,
  discovery: discoveryMethods,
  demo: demoMethods,
  flow: flowMethods,
  catalog: catalogMethods,
  library: libraryMethods,
  deploy: deployMethods,
  inspector: inspectorMethods,
  live: liveMethods,
  device: deviceMethods,
  gateways: gatewaysMethods,
};

/** Every event the services push. */
export const contractEvents = {
  ...projectEvents,
  ...commissionEvents,
  ...discoveryEvents,
  ...deployEvents,
  ...inspectorEvents,
  ...liveEvents,
  ...deviceEvents,
  ...gatewaysEvents,
};

export type Contract = typeof contract;
export type ContractEvents = typeof contractEvents;
/** `area.verb` of every method. */
export type MethodName = MethodNameOf<Contract>;
/** Name of every event. */
export type EventName = keyof ContractEvents & string;
/** The UI-side interface. */
export type FieldgraphApi = ClientOf<Contract, ContractEvents>;
/** The service-side interface. */
export type FieldgraphServices = ServicesOf<Contract>;

/** One method of the flat list. */
export interface MethodEntry {
  readonly name: MethodName;
  readonly area: string;
  readonly verb: string;
  readonly spec: MethodSpec;
}

/** All methods as a flat list, in a stable order. */
export const methodList: readonly MethodEntry[] = Object.entries(contract).flatMap(([area, verbs]) =>
  Object.entries(verbs as Record<string, MethodSpec>).map(([verb, spec]) => ({
    name: `${area}.${verb}` as MethodName,
    area,
    verb,
    spec,
  })),
);

/** All event names. */
export const eventNames = Object.keys(contractEvents) as EventName[];

export * from './contract';
export { fail, ok, type Result, type ResultError } from '../result';
