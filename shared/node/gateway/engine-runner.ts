import { Value } from '@sinclair/typebox/value';
import { createEngine, type FlowEngine } from '../../core/engine/engine';
import type { EnginePorts, EngineSnapshot } from '../../core/engine/ports';
import { flowHash, type FlowVersion } from '../../core/engine/trace-query';
import { Flow } from '../../core/flow/schema';
import { createDeviceHub } from './devices';
import type { FlowEndpoints } from './flow-endpoints';
import type { PanelFlows } from './panel';
import { createInboundQueue } from './inbound';
import { siteHttpToken } from './site-token';
import type { FlowIo, FlowRunner, FlowSet } from './runner';

const STATE_KEY = 'engine';

const toWire = (payload: unknown): string | Buffer =>
  typeof payload === 'string'
    ? payload
    : payload instanceof Uint8Array
      ? Buffer.from(payload)
      : JSON.stringify(payload);

/**
 * Runs a FlowSet on the platform-free engine (shared/core/engine) with the gateway's ports: real
 * timers, device I/O through the device-model bindings, MQTT through the gateway's link (QoS 1
 * through the disk outbox), the engine snapshot in the durable state store, traces into the
 * trace store. Flow files that do not match the flow schema, or cannot deploy, are logged and
 * left out; the other flows run.
 */
export const createEngineRunner = (set: FlowSet, io: FlowIo, gatewayId: string): FlowRunner => {
  const flows: Flow[] = [];
  // Flows that could not start, for the gateway status; the others still run.
  const failed: Array<{ id: string; reason: string }> = [];
  for (const doc of set.flows) {
    if (Value.Check(Flow, doc)) {
      flows.push(doc);
      continue;
    }
    const first = Value.Errors(Flow, doc).First();
    const id = (doc as { id?: unknown })?.id;
    failed.push({
      id: typeof id === 'string' ? id.slice(0, 200) : '(no id)',
      reason: `does not match the flow format at ${first?.path || '/'}: ${first?.message ?? 'unknown'}`.slice(
        0,
        500,
      ),
    });
    io.log.warn('a flow file does not match the flow format and is not run', {
      flowId: (doc as { id?: unknown })?.id,
      path: first?.path,
      problem: first?.message,
    });
  }
  const packageVersion = set.source.kind === 'package' ? set.source.version : undefined;
  // Every kept run names the flow it ran on, so it can be drawn on that flow later.
  const versions = new Map<string, FlowVersion>(
    flows.map((f) => [
      f.id,
      { ...(packageVersion === undefined ? {} : { packageVersion }), hash: flowHash(f) },
    ]),
  );
  const live = io.live;
  let engine: FlowEngine | undefined;
  const devices = createDeviceHub(set, gatewayId, io, io.log.child('devices'));
  const mqttSubscriptions = new Map<string, () => void>();
  // A burst waits in a bounded queue; when it is full the link stops reading the broker.
  let gate: { resume(): void; release(): void } | undefined;
  const inbound = createInboundQueue((topic, payload) => engine?.deliverMqtt(topic, payload), {
    onDrained: () => gate?.resume(),
  });
  gate = io.throttle?.(() => inbound.full);
  const onMessage = (topic: string, payload: Buffer) => inbound.deliver(topic, payload);
  let stopObserving: (() => void) | undefined;

  const ports: EnginePorts = {
    clock: {
      now: () => Date.now(),
      setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    devices,
    mqtt: {
      publish: (topic, payload, options) =>
        io.publish(topic, toWire(payload), { qos: options.qos === 0 ? 0 : 1, retain: options.retain }),
      subscribe: (filter) => {
        if (mqttSubscriptions.has(filter)) return;
        mqttSubscriptions.set(filter, io.subscribe(filter, onMessage));
      },
      unsubscribe: (filter) => {
        mqttSubscriptions.get(filter)?.();
        mqttSubscriptions.delete(filter);
      },
    },
    http: {
      request: async (request) => {
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(request.timeoutMs),
        });
        return {
          status: response.status,
          headers: Object.fromEntries(response.headers.entries()),
          body: await response.text(),
        };
      },
    },
    persistence: {
      load: () => io.state.get(STATE_KEY) as EngineSnapshot | undefined,
      save: (snapshot) => io.state.set(STATE_KEY, snapshot),
    },
    traces: {
      write: (trace) => {
        // the engine hands over a fresh trace it never touches again: tagging it costs no copy
        const stored = trace as typeof trace & { flowVersion?: FlowVersion };
        stored.flowVersion = versions.get(trace.flowId);
        io.trace(stored);
      },
    },
    log: (level, text, source) => {
      io.log[level](text);
      if (live?.watching) live.log(level, text, source);
    },
    ...(io.panel ? { panel: { show: (_flowId, _nodeId, shown) => io.panel!.show(shown) } } : {}),
    ...(live
      ? {
          observer: {
            step: (flowId, runId, step) => {
              if (live.watching) live.step(flowId, runId, step);
            },
          },
        }
      : {}),
  };

  const token = siteHttpToken(set, io.log);
  const endpoints: FlowEndpoints = {
    lookup: (method, segments) => engine?.lookupHttp(method, segments),
    deliver: (match, request, reply) => {
      if (!engine) throw new Error('The flows are not running.');
      engine.deliverHttp(match, request, reply);
    },
    token,
  };
  const hasEndpoints = flows.some((f) => f.nodes.some((n) => n.kind === 'trigger.http'));
  const panelKinds = new Set(['trigger.panel', 'action.panel-show']);
  const panelFlows = flows.filter((f) => f.enabled !== false && f.nodes.some((n) => panelKinds.has(n.kind)));
  const panel: PanelFlows = {
    flows: panelFlows,
    press: (flowId, nodeId, value) => {
      if (!engine) throw new Error('The flows are not running.');
      return engine.deliverPanel(flowId, nodeId, value);
    },
    token,
  };

  return {
    http: () => (hasEndpoints && engine ? endpoints : undefined),
    panel: () => (panelFlows.length > 0 ? panel : undefined),
    async start() {
      engine = createEngine(ports);
      for (const problem of engine.deploy(flows)) {
        io.log.warn('a flow cannot run', { ...problem });
        if (!failed.some((f) => f.id === problem.flowId))
          failed.push({ id: problem.flowId.slice(0, 200), reason: problem.message.slice(0, 500) });
      }
      engine.start();
      const running = engine;
      stopObserving = devices.observe({
        propertyChanged: (role, property, value) => running.deliverPropertyChange(role, property, value),
        eventRaised: (role, event, data) => running.deliverDeviceEvent(role, event, data),
      });
    },
    async stop() {
      stopObserving?.();
      stopObserving = undefined;
      for (const unsubscribe of mqttSubscriptions.values()) unsubscribe();
      mqttSubscriptions.clear();
      inbound.clear();
      gate?.release();
      gate = undefined;
      engine?.stop();
      io.state.flush();
    },
    flows: () => {
      const deployed = engine ? new Set(Object.keys(engine.stats())) : new Set<string>();
      return flows.filter((f) => deployed.has(f.id)).map((f) => ({ id: f.id, name: f.name }));
    },
    stats: () => engine?.stats() ?? {},
    failed: () => [...failed],
    devices: () => devices.availability(),
    inbound: () => inbound.stats(),
    flow: (flowId) => {
      const found = engine && flows.find((f) => f.id === flowId);
      const flowVersion = versions.get(flowId);
      return found && flowVersion && engine?.stats()[flowId] ? { flow: found, flowVersion } : undefined;
    },
    runManual: (flowId, payload, nodeId) => {
      if (!engine) throw new Error('The flows are not running.');
      return engine.runManual(flowId, payload, nodeId);
    },
  };
};
