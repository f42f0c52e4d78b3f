/**
 * Which running gateway the Flows view shows live, and try-it mode: the open design (unsaved
 * edits included) sent to a gateway runtime the app starts, against the site broker or the
 * demo's. One source at a time; its batches feed `liveStore`, which the canvas overlay and the
 * debug sidebar read.
 */
import type { Static } from '@sinclair/typebox';
import type { LiveGateway, TryItState } from '../../../shared/core/api/areas/live';
import { api } from '../api';
import type { Design, Flow } from '../canvas/types';
import { toFlowDocument } from '../flows/documents';
import { deviceCatalog } from '../flows/project-models.svelte';
import { bindingsOf } from '../flows/sites.svelte';
import { LiveStore } from './store.svelte';

/** A gateway the overlay follows: over its broker, or (a deployed one) over its HTTP endpoint. */
export type LiveSource = { readonly kind: 'try-it' | 'gateway' } & Static<typeof LiveGateway>;

/** A followed gateway's address, as the live API takes it. */
export const gatewayOf = (source: LiveSource): Static<typeof LiveGateway> =>
  'brokerUrl' in source
    ? { brokerUrl: source.brokerUrl, gatewayId: source.gatewayId }
    : { httpUrl: source.httpUrl, gatewayId: source.gatewayId };

/** The broker (mqtt://…) or HTTP address (http://…) a followed gateway is reached at. */
export const addressOf = (source: LiveSource): string =>
  'brokerUrl' in source ? source.brokerUrl : source.httpUrl;

/** The live records of the followed gateway (canvas overlay, debug sidebar). */
export const liveStore = new LiveStore();

/** What the Flows view shows about live mode. */
export const live = $state({
  tryIt: { state: 'stopped', flows: [] } as Static<typeof TryItState>,
  source: null as LiveSource | null,
  busy: false,
  /** The last failure, in a sentence, and its code (`secrets.locked` asks for the passphrase). */
  error: null as string | null,
  errorCode: null as string | null,
  /** The broker try-it ran against last (offered again). */
  brokerUrl: '',
});

/** The flows as try-it started them: the version its runs ran on, for the Traces view. */
let tried = new Map<string, Flow>();

/** The flow a try-it run ran on, as it was when try-it started. */
export const triedFlow = (flowId: string): Flow | undefined => tried.get(flowId);

/** How many flows try-it was started with. */
export const triedCount = (): number => tried.size;

let listening = false;
const listen = () => {
  if (listening) return;
  listening = true;
  api.events.onLiveBatch((batch) => liveStore.receive(batch));
  api.events.onTryIt((state) => {
    live.tryIt = state;
    if (state.state !== 'running' && live.source?.kind === 'try-it') follow(null);
    if (state.state === 'failed' && state.message) live.error = state.message;
  });
  void api.live.tryState({}).then((r) => {
    if (!r.ok) return;
    live.tryIt = r.value;
    if (r.value.state === 'running' && r.value.gatewayId && r.value.brokerUrl)
      follow({ kind: 'try-it', gatewayId: r.value.gatewayId, brokerUrl: r.value.brokerUrl });
  });
};

const follow = (source: LiveSource | null) => {
  live.source = source;
  liveStore.follow(
    source?.gatewayId ?? null,
    source ? (flowId, nodeId) => void inject(flowId, nodeId) : undefined,
  );
};

/** Starts listening for live batches and try-it changes (once per window). */
export const watchLive = (): void => listen();

/** The design as try-it sends it: flow documents, roles, the bound devices as a site, the project's models. */
export const tryItDesign = (design: Design) => ({
  flows: design.flows.map(toFlowDocument),
  roles: design.roles.map((r) => ({
    id: r.id,
    capability: r.capability,
    ...(r.title ? { title: r.title } : {}),
    ...(r.alsoRequires?.length ? { alsoRequires: [...r.alsoRequires] } : {}),
  })),
  site: {
    schemaVersion: 1,
    id: 'try-it',
    name: 'Try it',
    rooms: [],
    devices: [...(design.devices ?? [])],
    bindings: bindingsOf(design),
    gateways: [],
  },
  models: [...deviceCatalog.projectModels],
});

/** Runs the design on a gateway inside the app against `brokerUrl`, and follows it. */
export const startTryIt = async (design: Design, brokerUrl: string): Promise<boolean> => {
  listen();
  live.busy = true;
  live.error = null;
  live.brokerUrl = brokerUrl;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
  const sent = new Map(design.flows.map((f) => [f.id, f]));
  const r = await api.live.tryStart({ design: tryItDesign(design), brokerUrl });
  live.busy = false;
  if (!r.ok) {
    live.error = r.error.message;
    return false;
  }
  tried = sent;
  live.tryIt = r.value;
  live.error = r.value.message ?? null;
  if (r.value.gatewayId && r.value.brokerUrl)
    follow({ kind: 'try-it', gatewayId: r.value.gatewayId, brokerUrl: r.value.brokerUrl });
  return true;
};

/** Stops try-it mode. */
export const stopTryIt = async (): Promise<void> => {
  live.busy = true;
  const r = await api.live.tryStop({});
  live.busy = false;
  if (!r.ok) live.error = r.error.message;
  else live.tryIt = r.value;
  if (live.source?.kind === 'try-it') follow(null);
};

/**
 * Follows a deployed gateway's live stream, at its broker (mqtt://…) or its HTTP endpoint
 * (http://…, polled).
 */
export const watchGateway = async (address: string, gatewayId: string): Promise<boolean> => {
  listen();
  const gateway = /^https?:\/\//i.test(address)
    ? { httpUrl: address, gatewayId }
    : { brokerUrl: address, gatewayId };
  live.busy = true;
  live.error = null;
  const previous = live.source;
  const r = await api.live.watch(gateway);
  live.busy = false;
  if (!r.ok) {
    live.error = r.error.message;
    live.errorCode = r.error.code;
    return false;
  }
  live.errorCode = null;
  if (previous?.kind === 'gateway' && previous.gatewayId !== gatewayId)
    void api.live.unwatch({ gatewayId: previous.gatewayId });
  follow({ kind: 'gateway', ...gateway });
  return true;
};

/** Stops following a deployed gateway. */
export const unwatchGateway = async (): Promise<void> => {
  const source = live.source;
  if (source?.kind !== 'gateway') return;
  follow(null);
  await api.live.unwatch({ gatewayId: source.gatewayId });
};

/** Fires a Manual trigger on the followed gateway (the inject button). */
export const inject = async (flowId: string, nodeId: string, payload: unknown = null): Promise<void> => {
  const source = live.source;
  if (!source) return;
  const r = await api.live.run({
    gateway: gatewayOf(source),
    flowId,
    nodeId,
    payload,
  });
  if (!r.ok) live.error = r.error.message;
  else if (r.value.runId === null)
    live.error = `The flow's run mode did not start a new run (it is at its limit); see its Traces.`;
  else live.error = null;
};
