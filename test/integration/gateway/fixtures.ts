import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';

type NodeSpec = [id: string, kind: string, config?: Record<string, unknown>];
type EdgeSpec = [from: string, to: string, fromPort?: string];

/** A flow document in the shared/core/flow format, from a compact list of nodes and edges. */
export const flow = (
  id: string,
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  runMode: { mode: 'single' | 'restart' | 'queued' | 'parallel'; max: number } = {
    mode: 'parallel',
    max: 1000,
  },
  roles: string[] = [],
) => ({
  schemaVersion: 1,
  id,
  name: id,
  roles,
  runMode,
  nodes: nodes.map(([nodeId, kind, config = {}], i) => ({
    id: nodeId,
    kind,
    config,
    position: { x: i * 200, y: 0 },
  })),
  edges: edges.map(([from, to, fromPort = 'out'], i) => ({
    id: `e${i}`,
    from: { node: from, port: fromPort },
    to: { node: to, port: 'in' },
  })),
});

/**
 * Writes a project folder: one role `light` (switch@1) bound to a Tasmota relay with topic
 * `relayTopic` (the built-in tasmota-relay model), plus the given flows.
 */
export const writeProject = (
  dir: string,
  flows: ReturnType<typeof flow>[],
  relayTopic = 'relay1',
): string => {
  mkdirSync(join(dir, 'flows'), { recursive: true });
  mkdirSync(join(dir, 'sites'), { recursive: true });
  writeFileSync(
    join(dir, 'fieldgraph.json'),
    JSON.stringify({
      schemaVersion: 1,
      id: 'test',
      name: 'Test',
      roles: [{ id: 'light', capability: 'switch@1' }],
    }),
  );
  writeFileSync(
    join(dir, 'sites', 'home.json'),
    JSON.stringify({
      id: 'home',
      name: 'Home',
      rooms: [],
      devices: [
        {
          id: 'relay1',
          name: 'Relay',
          model: 'tasmota-relay',
          identity: { topic: relayTopic },
          variables: { topic: relayTopic },
        },
      ],
      bindings: [{ role: 'light', device: 'relay1' }],
      gateways: [],
    }),
  );
  for (const f of flows) writeFileSync(join(dir, 'flows', `${f.id}.json`), JSON.stringify(f));
  return dir;
};

/** A Tasmota-like relay on the broker: obeys cmnd/<topic>/POWER, reports on stat/<topic>/POWER and RESULT. */
export interface VirtualRelay {
  readonly commands: Array<{ payload: string; at: number }>;
  state(): boolean;
  stop(): Promise<void>;
}

export const startVirtualRelay = async (url: string, topic = 'relay1'): Promise<VirtualRelay> => {
  const client: MqttClient = mqtt.connect(url, { protocolVersion: 4, clientId: `tasmota_${topic}` });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  let on = false;
  const commands: Array<{ payload: string; at: number }> = [];
  client.on('message', (t, payload) => {
    if (t !== `cmnd/${topic}/POWER`) return;
    const text = payload.toString().trim().toUpperCase();
    commands.push({ payload: text, at: Date.now() });
    if (text === 'ON' || text === '1') on = true;
    else if (text === 'OFF' || text === '0') on = false;
    else if (text === 'TOGGLE') on = !on;
    const state = on ? 'ON' : 'OFF';
    client.publish(`stat/${topic}/RESULT`, JSON.stringify({ POWER: state }));
    client.publish(`stat/${topic}/POWER`, state);
  });
  await new Promise<void>((resolve) => client.subscribe(`cmnd/${topic}/#`, () => resolve()));
  return {
    commands,
    state: () => on,
    stop: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
};
