/**
 * The engine's ports: everything it needs from the world, injected, so the engine stays
 * platform-free and tests drive it with a fake clock and in-memory devices. The gateway
 * implements them with real timers, the device-model bindings, mqtt.js and the disk.
 */
import type { HttpRequest, HttpResponse, PanelShown } from '../flow/catalog/types';
import type { RunTrace, TraceStep } from './trace';

/** Time and timers. `setTimer` delays are at most about 24 days; the engine re-arms longer ones. */
export interface EngineClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Device I/O by role; the gateway resolves the role to a device and uses its binding. */
export interface EngineDevices {
  writeProperty(role: string, property: string, value: unknown): void | Promise<void>;
  invokeAction(role: string, action: string, input: unknown): unknown;
}

/**
 * MQTT through the site broker. `publish` gets the payload as the flow made it: strings and
 * Uint8Array as they are, anything else to be sent as JSON. The engine subscribes the topic
 * filters of its MQTT triggers on start and delivers messages through `deliverMqtt`.
 */
export interface EngineMqtt {
  publish(
    topic: string,
    payload: unknown,
    options: { qos: 0 | 1 | 2; retain: boolean },
  ): void | Promise<void>;
  subscribe(filter: string): void;
  unsubscribe(filter: string): void;
}

/** Outgoing HTTP for the HTTP request node. */
export interface EngineHttp {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * The gateway's panel: where Show on panel nodes put their values. Returns undefined when the
 * value was taken, else why not (the node fails with it). Optional: without it (Try it, tests)
 * a show only passes its message on.
 */
export interface EnginePanel {
  show(flowId: string, nodeId: string, shown: PanelShown): string | undefined;
}

/** What the engine keeps across restarts: pending timers, flow and gateway-wide variables, node state, schedules. */
export interface EngineSnapshot {
  readonly version: 1;
  readonly timers: readonly {
    readonly flowId: string;
    readonly nodeId: string;
    readonly runId: string;
    readonly dueAt: number;
    readonly data: unknown;
  }[];
  readonly variables: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly nodeState: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Next due time of each schedule trigger, by flow and node. */
  readonly schedules: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The gateway-wide variables (`global.name`); absent when none is set (and in older snapshots). */
  readonly gatewayVariables?: Readonly<Record<string, unknown>>;
}

/**
 * Durable storage of the snapshot. `save` is called at most once per burst of changes with a
 * fresh object the engine never touches again; the gateway writes it atomically.
 */
export interface EnginePersistence {
  load(): EngineSnapshot | undefined;
  save(snapshot: EngineSnapshot): void;
}

/** Receives every finished run's trace, including dropped runs. */
export interface EngineTraceSink {
  write(trace: RunTrace): void;
}

/**
 * Where a log line comes from: `log` is a Log node's output, `error` a node that failed (its
 * step carries the same error), `engine` the engine's own note (a trigger condition that failed).
 */
export interface EngineLogSource {
  readonly origin: 'log' | 'error' | 'engine';
  readonly flowId: string;
  readonly nodeId?: string;
  readonly runId?: string;
}

/** Log lines from Log nodes and from the engine itself, with the flow, node and run they belong to. */
export type EngineLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  text: string,
  source?: EngineLogSource,
) => void;

/**
 * Watches steps as they execute (the live stream). Called once per step, after a synchronous
 * step returned or an asynchronous one settled, so its outputs and error are final; the step
 * must be treated as read-only. Optional: without it the engine does no extra work per step.
 */
export interface EngineObserver {
  step(flowId: string, runId: string, step: TraceStep): void;
}

/** All ports together. */
export interface EnginePorts {
  readonly clock: EngineClock;
  readonly devices: EngineDevices;
  readonly mqtt: EngineMqtt;
  readonly http: EngineHttp;
  readonly persistence: EnginePersistence;
  readonly traces: EngineTraceSink;
  readonly log: EngineLog;
  readonly observer?: EngineObserver;
  readonly panel?: EnginePanel;
}

/** Tuning; the defaults suit a Raspberry Pi class gateway. */
export interface EngineOptions {
  /** Nodes one message may pass before the run ends with `loop-limit` (default 256). */
  readonly maxHops?: number;
  /** Steps a trace keeps before it is marked truncated (default 200). */
  readonly maxTraceSteps?: number;
}
