import { MAX_DISCOVERY_PAYLOAD, type MqttDiscoveryContext } from './mqtt-context';
import { createEsphomeInterpreter } from './mqtt-esphome';
import { createHomeAssistantInterpreter } from './mqtt-homeassistant';
import { createGatewayInterpreter, createHomieInterpreter } from './mqtt-homie';
import { createShellyInterpreter } from './mqtt-shelly';
import { createTasmotaInterpreter } from './mqtt-tasmota';
import { createZigbee2MqttInterpreter, MAX_Z2M_DEVICES_PAYLOAD } from './mqtt-zigbee2mqtt';

const decoder = new TextDecoder('utf-8', { fatal: false });
const MAX_EVIDENCE = 4096;

/** How MQTT discovery reads the broker. */
export interface MqttDiscoveryOptions {
  /** Home Assistant discovery prefixes to read (default `homeassistant`). */
  readonly haPrefixes?: readonly string[];
}

/** The MQTT discovery logic without a broker: feed it messages, it feeds the registry. */
export interface MqttDiscovery {
  /** Every topic filter the broker link must subscribe to. */
  readonly filters: readonly string[];
  /** Interprets one message; never throws (bad payloads become problems). */
  handle(topic: string, payload: Uint8Array): void;
}

/**
 * Joins the protocol interpreters at one dispatch point. Home Assistant runs first because
 * its availability topics can be any topic (a Tasmota LWT, an ESPHome status, a zigbee2mqtt
 * availability); Shelly's `+/online` runs last because that filter is the least specific.
 */
export const createMqttDiscovery = (
  outer: MqttDiscoveryContext,
  rpcSource: string,
  options: MqttDiscoveryOptions = {},
): MqttDiscovery => {
  // Every message that shaped a sighting is kept as a `topic:<topic>` fact, so library match
  // rules (topic filter + payload) can be tested against what the device really sent.
  const evidence = new Map<string, Map<string, string>>();
  let current: { topic: string; text: string } | null = null;
  const ctx: MqttDiscoveryContext = {
    ...outer,
    sink: {
      upsert(sighting) {
        const messages = evidence.get(sighting.key) ?? new Map<string, string>();
        if (current) messages.set(current.topic, current.text.slice(0, MAX_EVIDENCE));
        evidence.set(sighting.key, messages);
        const facts = { ...sighting.facts };
        for (const [topic, text] of messages) facts[`topic:${topic}`] = text;
        outer.sink.upsert({ ...sighting, facts });
      },
      setOnline: (...args) => outer.sink.setOnline(...args),
      remove(source, key) {
        evidence.delete(key);
        outer.sink.remove(source, key);
      },
    },
  };
  const prefixes = [...new Set(options.haPrefixes?.length ? options.haPrefixes : ['homeassistant'])];
  const interpreters = [
    ...prefixes.map((prefix) => createHomeAssistantInterpreter(ctx, prefix)),
    createEsphomeInterpreter(ctx),
    createZigbee2MqttInterpreter(ctx),
    createTasmotaInterpreter(ctx),
    createHomieInterpreter(ctx),
    createGatewayInterpreter(ctx),
    createShellyInterpreter(ctx, rpcSource),
  ];
  return {
    filters: interpreters.flatMap((i) => i.filters),
    handle(topic, payload) {
      // A zigbee2mqtt network's device list is one large retained message; everything else is small.
      const limit = topic.endsWith('/bridge/devices') ? MAX_Z2M_DEVICES_PAYLOAD : MAX_DISCOVERY_PAYLOAD;
      if (payload.byteLength > limit) {
        ctx.problem(
          topic,
          `the payload is ${payload.byteLength} bytes, over the ${limit}-byte limit; skipped`,
        );
        return;
      }
      const text = decoder.decode(payload);
      current = { topic, text };
      try {
        for (const interpreter of interpreters) if (interpreter.handle(topic, text)) return;
      } catch (error) {
        ctx.problem(
          topic,
          `could not be interpreted (${error instanceof Error ? error.message : String(error)}); skipped`,
        );
      } finally {
        current = null;
      }
    },
  };
};
