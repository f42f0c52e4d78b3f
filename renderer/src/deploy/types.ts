/** Types and pure helpers the Deploy view's components share. */
import type { Static } from '@sinclair/typebox';
import type {
  DeployGateway,
  DeployPreview,
  DeployTargetSpec,
  DeploymentRecord,
} from '../../../shared/core/api/areas/deploy';

export type Gateway = Static<typeof DeployGateway>;
export type Preview = Static<typeof DeployPreview>;
export type Deployment = Static<typeof DeploymentRecord>;
export type Spec = Static<typeof DeployTargetSpec>;

/** How a package reaches one gateway. */
export type Route = 'mqtt' | 'http';

/** One progress event as the view keeps it. */
export interface Step {
  target: string;
  gateway?: string;
  step: string;
  message?: string;
  at: string;
}

/** The routes a gateway can be reached by: MQTT needs its retained status on the broker in use. */
export const routesOf = (g: Gateway, brokerUrl: string): Route[] => [
  ...(brokerUrl && g.foundBy.includes('mqtt') ? (['mqtt'] as const) : []),
  ...(g.httpUrl ? (['http'] as const) : []),
];

/** What the list says about how a gateway was found. */
export const foundByLabel: Record<Gateway['foundBy'][number], string> = {
  mdns: 'mDNS',
  mqtt: 'MQTT status',
  http: 'HTTP address',
};

/** The deploy target for one chosen gateway and route. */
export const specFor = (g: Gateway, route: Route, brokerUrl: string): Spec =>
  route === 'http' && g.httpUrl
    ? { kind: 'http-gateway', url: g.httpUrl, gatewayId: g.id, tokenRef: g.tokenRef }
    : { kind: 'mqtt-gateway', brokerUrl, gatewayId: g.id };

/** Typed HTTP addresses, split at commas and spaces. */
export const typedUrls = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((u) => u.trim())
    .filter(Boolean);

/**
 * When a package version was packed: versions are the packing time in seconds (made
 * monotonic), so the number itself tells the time a person can compare with their day.
 */
export const packedAt = (version: number | null | undefined): string => {
  if (!version || version < 1_000_000_000) return '';
  const d = new Date(version * 1000);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? `packed ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`
    : `packed ${d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`;
};
