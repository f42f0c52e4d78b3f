/**
 * Which gateway the Traces view reads and which run it opens; other views (the debug sidebar,
 * the Gateways view) send the reader there with `openTrace`.
 */
import type { Static } from '@sinclair/typebox';
import type { LiveGateway } from '../../../shared/core/api/areas/live';
import { go } from '../shell/nav.svelte';

/** Where a gateway's traces are read: its broker, or its HTTP endpoint. */
export type TraceSource = Static<typeof LiveGateway>;

/** The Traces view's gateway and the run to open. */
export const traceNav = $state({
  gateway: null as TraceSource | null,
  runId: null as string | null,
});

/** Shows the Traces view for `gateway`, opening `runId` when given. */
export const openTrace = (gateway: TraceSource, runId: string | null = null): void => {
  traceNav.gateway =
    'brokerUrl' in gateway
      ? { brokerUrl: gateway.brokerUrl, gatewayId: gateway.gatewayId }
      : { httpUrl: gateway.httpUrl, gatewayId: gateway.gatewayId };
  traceNav.runId = runId;
  go('traces');
};
