import { unboundEntity } from '../../core/registry/entity-bindings';
import { deviceText } from '../../core/registry/text';
import { mqttSighting, type MqttDiscoveryContext } from './mqtt-context';
import { z2mEntities } from './z2m-entities';

/** The largest `bridge/devices` list read: a big network's list is far over the usual discovery limit. */
export const MAX_Z2M_DEVICES_PAYLOAD = 8 * 1024 * 1024;

interface Bridge {
  state: boolean | null;
  /** ieee address → the device's entry in `bridge/devices`. */
  devices: Map<string, Record<string, unknown>>;
  /** friendly name → what its availability topic said last. */
  availability: Map<string, boolean | null>;
}

/** `online`/`offline` as text (zigbee2mqtt 1.x legacy) or `{"state":"online"}` (2.x). */
const stateOf = (text: string): boolean | null => {
  let value: unknown = text;
  try {
    const json: unknown = JSON.parse(text);
    value = json && typeof json === 'object' ? (json as Record<string, unknown>).state : json;
  } catch {
    // plain text
  }
  return value === 'online' ? true : value === 'offline' ? false : null;
};

const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * zigbee2mqtt natively: the retained device list `<base>/bridge/devices` (each device's
 * definition and exposes), the bridge's `<base>/bridge/state`, and each device's
 * `<base>/<friendly_name>/availability`. The base topic is whatever precedes `/bridge/…` (one or
 * two levels). Devices are keyed by IEEE address (identity `serial`), so the same device seen
 * through Home Assistant discovery (`zigbee2mqtt_<ieee>`) merges with it. Online follows Home
 * Assistant: offline when the bridge is; else the device's availability when published; else online.
 */
export const createZigbee2MqttInterpreter = (ctx: MqttDiscoveryContext) => {
  const bridges = new Map<string, Bridge>();
  const availabilityTopics = new Map<string, { base: string; name: string }>();

  const bridgeOf = (base: string): Bridge => {
    let bridge = bridges.get(base);
    if (!bridge) {
      bridge = { state: null, devices: new Map(), availability: new Map() };
      bridges.set(base, bridge);
    }
    return bridge;
  };

  const report = (base: string, ieee: string): void => {
    const bridge = bridgeOf(base);
    const d = bridge.devices.get(ieee);
    if (!d) return;
    const name = s(d.friendly_name) ?? ieee;
    const definition =
      d.definition && typeof d.definition === 'object' ? (d.definition as Record<string, unknown>) : null;
    const exposes = Array.isArray(definition?.exposes) ? definition.exposes : [];
    const stateTopic = `${base}/${name}`;
    const entities = definition
      ? z2mEntities({ stateTopic, setTopic: `${stateTopic}/set`, exposes })
      : [
          unboundEntity(
            {
              id: 'device',
              ecosystem: 'zigbee2mqtt',
              component: 'device',
              name,
              channel: 'device',
              raw: null,
            },
            'unsupported',
            d.supported === false
              ? 'is not supported by zigbee2mqtt (no definition), so what it can do is unknown'
              : 'has no definition yet (its interview has not finished)',
          ),
        ];
    const own = bridge.availability.get(name);
    const online =
      bridge.state === false
        ? false
        : own !== undefined && own !== null
          ? own
          : bridge.state === true
            ? true
            : null;
    const facts: Record<string, string> = { 'mqtt.protocol': 'zigbee2mqtt', 'z2m.base': base };
    const model = s(definition?.model);
    if (model) facts['z2m.model'] = model;
    const vendor = s(definition?.vendor);
    if (vendor) facts['z2m.vendor'] = vendor;
    const modelId = s(d.model_id);
    if (modelId) facts['z2m.model_id'] = modelId;
    ctx.sink.upsert(
      mqttSighting(`z2m:${base}:${ieee}`, {
        identity: { serial: ieee },
        name: deviceText(name),
        kind: entities.some((e) => e.capability === 'switch@1' || e.capability === 'dimmer@1')
          ? 'relay'
          : 'sensor',
        facts,
        online,
        entities,
        raw: d,
        seenAt: ctx.now(),
      }),
    );
  };

  const onDevices = (base: string, text: string, topic: string): void => {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      ctx.problem(topic, 'the zigbee2mqtt device list is not JSON; skipped');
      return;
    }
    if (!Array.isArray(list)) {
      ctx.problem(topic, 'the zigbee2mqtt device list is not a JSON array; skipped');
      return;
    }
    const bridge = bridgeOf(base);
    const seen = new Set<string>();
    for (const item of list.slice(0, 5000)) {
      if (!item || typeof item !== 'object') continue;
      const d = item as Record<string, unknown>;
      const ieee = s(d.ieee_address)?.toLowerCase();
      if (!ieee || d.type === 'Coordinator') continue;
      seen.add(ieee);
      bridge.devices.set(ieee, d);
      const name = s(d.friendly_name);
      if (name) {
        const availabilityTopic = `${base}/${name}/availability`;
        if (!availabilityTopics.has(availabilityTopic)) {
          availabilityTopics.set(availabilityTopic, { base, name });
          ctx.subscribe(availabilityTopic);
        }
      }
      report(base, ieee);
    }
    for (const ieee of [...bridge.devices.keys()]) {
      if (seen.has(ieee)) continue;
      bridge.devices.delete(ieee);
      ctx.sink.remove('mqtt', `z2m:${base}:${ieee}`);
    }
  };

  return {
    filters: ['+/bridge/devices', '+/bridge/state', '+/+/bridge/devices', '+/+/bridge/state'],
    handle(topic: string, text: string): boolean {
      const at = availabilityTopics.get(topic);
      if (at) {
        const bridge = bridgeOf(at.base);
        bridge.availability.set(at.name, text === '' ? null : stateOf(text));
        for (const [ieee, d] of bridge.devices) if (d.friendly_name === at.name) report(at.base, ieee);
        return true;
      }
      const m = /^(.+)\/bridge\/(devices|state)$/.exec(topic);
      if (!m) return false;
      const base = m[1]!;
      if (m[2] === 'devices') {
        if (text !== '') onDevices(base, text, topic);
        return true;
      }
      const bridge = bridgeOf(base);
      bridge.state = text === '' ? null : stateOf(text);
      for (const ieee of bridge.devices.keys()) report(base, ieee);
      return true;
    },
  };
};
