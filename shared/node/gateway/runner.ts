import type { Logger } from '../log';
import type { FlowEndpoints } from './flow-endpoints';
import type { PanelShown } from '../../core/flow/catalog';
import type { LiveFeed } from './live';
import type { PanelFlows } from './panel';
import type { MessageHandler } from '../mqtt/link';
import type { RunningSecrets } from './secrets';
import type { StateStore } from './state';
import type { StoredTrace } from './traces';

/**
 * What one gateway runs: the flows with the device models and role bindings they use, and where
 * they came from. The project folder (`--project`) and installed packages both produce one.
 */
export interface FlowSet {
  readonly source:
    { kind: 'project'; dir: string } | { kind: 'package'; installDir: string; version?: number };
  /** Flow documents (shared/core/flow format). */
  readonly flows: readonly unknown[];
  /** The design's roles (name and capability) the flows talk to. */
  readonly roles?: readonly unknown[];
  /** Device models by id, as JSON documents. */
  readonly models: readonly unknown[];
  /** Sites with their devices and role bindings, as JSON documents. */
  readonly sites: readonly unknown[];
  /** The installed version's opened secrets (device logins), in memory only; none for a project folder. */
  readonly secrets?: RunningSecrets;
}

/** The gateway's side of the engine's ports: MQTT, durable state, traces, logging. */
export interface FlowIo {
  publish(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain: boolean }): void;
  subscribe(filter: string, handler: MessageHandler): () => void;
  readonly state: StateStore;
  trace(trace: StoredTrace): void;
  readonly log: Logger;
  /** Backpressure on the broker link: while `busy()` no further messages are read (see MqttLink.throttle). */
  throttle?(busy: () => boolean): { resume(): void; release(): void };
  /** The live stream; feed it only while `live.watching`. */
  readonly live?: LiveFeed;
  /** The panel (gateways with --http): where Show on panel nodes put values; undefined when taken, else why not. */
  readonly panel?: { show(shown: PanelShown): string | undefined };
}

/** Runs one FlowSet; the gateway makes a new runner for every (re)load. */
export interface FlowRunner {
  /** Starts every flow; a flow that cannot start is reported, the others still run. */
  start(): Promise<void>;
  /** Stops timers and subscriptions, keeping durable state (pending delays) for the next start. */
  stop(): Promise<void>;
  /** The flows running, for the status. */
  flows(): Array<{ id: string; name?: string }>;
  /** Flows of the set that could not start (bad file, cannot deploy), and why. */
  failed?(): Array<{ id: string; reason: string }>;
  /** The devices the flows use, by what their availability last said. */
  devices?(): { online: number; offline: number; unknown: number };
  /** Run counters per flow (started, active, queued, outcomes), when the runner keeps them. */
  stats?(): Record<string, unknown>;
  /** Incoming MQTT messages waiting for the flows, and how many a full queue dropped. */
  inbound?(): { queued: number; peak: number; dropped: number; paused?: number };
  /** Starts a flow from its Manual trigger; returns the run id, or undefined when its run mode dropped it. */
  runManual?(flowId: string, payload: unknown, nodeId?: string): string | undefined;
  /** The HTTP endpoints of the running flows, served below /flows; undefined when they declare none. */
  http?(): FlowEndpoints | undefined;
  /** The flows' panel nodes (served at /panel), presses and the site's token; undefined when they have none. */
  panel?(): PanelFlows | undefined;
  /** A running flow's document and the version traces name (shared/core/engine/trace-query.ts FlowVersion). */
  flow?(
    flowId: string,
  ): { flow: unknown; flowVersion: { packageVersion?: number; hash: string } } | undefined;
}

/** Builds the runner for a FlowSet; `startGateway` takes one so tests and the benchmark can swap the engine glue. */
export type FlowRunnerFactory = (set: FlowSet, io: FlowIo) => FlowRunner;
