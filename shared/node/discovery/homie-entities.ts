/**
 * Homie devices, entity by entity: each property (v4 `$datatype`/`$settable`/`$unit`/`$format`
 * attributes, v5 `$description` JSON) becomes one entity. What a property is comes from what the
 * convention says about it — datatype, settable, unit, format — and, where those leave it open
 * (a read-only boolean, a percentage), from its name; anything else is listed, not guessed.
 */
import type { DiscoveredEntity } from '../../core/registry/entities';
import { entityId } from '../../core/registry/entities';
import type { Implementation, Mapping } from '../../core/model/schemas';
import { deviceText } from '../../core/registry/text';

/** One Homie property as announced. */
export interface HomieProperty {
  readonly node: string;
  readonly id: string;
  readonly name?: string;
  readonly datatype?: string;
  readonly settable: boolean;
  readonly unit?: string;
  readonly format?: string;
}

const NUMBER: Mapping = { kind: 'parse', as: 'number' };
const BOOLEAN: Mapping = { kind: 'parse', as: 'boolean' };
const FAHRENHEIT: Mapping = {
  kind: 'linear',
  direction: 'forward',
  device: [32, 212],
  value: [0, 100],
  decimals: 2,
};
const numeric = (p: HomieProperty) => p.datatype === 'integer' || p.datatype === 'float';
const named = (p: HomieProperty, pattern: RegExp) => pattern.test(`${p.node} ${p.id} ${p.name ?? ''}`);

/** A settable number that is a brightness: 0–100 (or %) and named like one. */
const isBrightness = (p: HomieProperty) =>
  p.settable &&
  numeric(p) &&
  (p.format === '0:100' || p.unit === '%') &&
  named(p, /bright|dim|level|intensity/i);

/** What a read-only property reads, if a library capability takes it: [capability, property, extra mappings]. */
const sensorOf = (p: HomieProperty): [string, string, Mapping[]] | null => {
  if (numeric(p)) {
    const unit = p.unit ?? '';
    if (unit === '°C') return ['temperature@1', 'temperature', [NUMBER]];
    if (unit === '°F') return ['temperature@1', 'temperature', [NUMBER, FAHRENHEIT]];
    if (unit === '%' && named(p, /humid/i)) return ['humidity@1', 'humidity', [NUMBER]];
    if (unit === '%' && named(p, /batt/i)) return ['battery@1', 'level', [NUMBER]];
    if (unit === 'hPa' || unit === 'mbar') return ['pressure@1', 'pressure', [NUMBER]];
    if (unit === 'lx') return ['illuminance@1', 'illuminance', [NUMBER]];
    if (unit === 'W') return ['power-meter@1', 'power', [NUMBER]];
    if (unit === 'kWh') return ['energy-meter@1', 'energy', [NUMBER]];
    return null;
  }
  if (p.datatype === 'boolean') {
    if (named(p, /motion|presence|occupan/i)) return ['motion@1', 'motion', [BOOLEAN]];
    if (named(p, /contact|door|window|open/i)) return ['contact@1', 'open', [BOOLEAN]];
    if (named(p, /leak|flood|water/i)) return ['water-leak@1', 'leak', [BOOLEAN]];
    if (named(p, /smoke/i)) return ['smoke@1', 'smoke', [BOOLEAN]];
  }
  return null;
};

/**
 * The entities of a Homie device under `base` (`homie/<id>` or `homie/5/<id>`): a node with one
 * settable boolean and one settable brightness is one dimmer; every other settable boolean is a
 * switch; read-only numbers with a unit and booleans with a telling name are sensors.
 */
export const homieEntities = (base: string, properties: readonly HomieProperty[]): DiscoveredEntity[] => {
  const taken = new Set<string>();
  const out: DiscoveredEntity[] = [];
  const topic = (p: HomieProperty) => `${base}/${p.node}/${p.id}`;
  const entity = (
    p: HomieProperty,
    channel: string,
    capability: string | null,
    binding: Implementation | null,
    extra: Partial<DiscoveredEntity> = {},
  ) =>
    out.push({
      id: entityId(channel.replaceAll('/', '_'), taken),
      ecosystem: 'homie',
      component: p.datatype ?? 'unknown',
      name: deviceText(p.name ?? channel, 200),
      channel,
      capability,
      binding,
      state_topic: topic(p),
      ...(p.settable ? { command_topic: `${topic(p)}/set` } : {}),
      status: binding ? 'bound' : (extra.status ?? 'unmapped'),
      raw: { ...p },
      ...extra,
    });
  const onBinding = (p: HomieProperty) => ({
    write: { kind: 'mqtt' as const, topic: `${topic(p)}/set`, payload: '{{value}}' },
    observe: [{ kind: 'mqtt' as const, topic: topic(p), format: 'text' as const }],
    map: [BOOLEAN],
  });
  const byNode = new Map<string, HomieProperty[]>();
  for (const p of properties) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  for (const [node, props] of byNode) {
    const switches = props.filter((p) => p.settable && p.datatype === 'boolean');
    const levels = props.filter(isBrightness);
    const dimmer =
      switches.length === 1 && levels.length === 1 ? { on: switches[0]!, level: levels[0]! } : null;
    for (const p of props) {
      const channel = `${node}/${p.id}`;
      if (dimmer && p === dimmer.on) {
        entity(p, node, 'dimmer@1', {
          capability: 'dimmer@1',
          title: deviceText(node, 200),
          properties: {
            on: onBinding(p),
            brightness: {
              write: { kind: 'mqtt', topic: `${topic(dimmer.level)}/set`, payload: '{{value}}' },
              observe: [{ kind: 'mqtt', topic: topic(dimmer.level), format: 'text' }],
              map: [{ kind: 'parse', as: 'integer' }],
            },
          },
          actions: {},
        });
        continue;
      }
      if (dimmer && p === dimmer.level) continue;
      if (p.settable && p.datatype === 'boolean') {
        entity(p, channel, 'switch@1', {
          capability: 'switch@1',
          title: deviceText(p.name ?? channel, 200),
          properties: { on: onBinding(p) },
        });
        continue;
      }
      const sensor = p.settable ? null : sensorOf(p);
      if (sensor) {
        const [capability, property, map] = sensor;
        entity(p, channel, capability, {
          capability,
          title: deviceText(p.name ?? channel, 200),
          properties: { [property]: { observe: [{ kind: 'mqtt', topic: topic(p), format: 'text' }], map } },
        });
        continue;
      }
      if (!p.datatype) {
        entity(p, channel, null, null, {
          status: 'invalid',
          reason: 'it has no $datatype, which the convention requires',
        });
        continue;
      }
      entity(p, channel, null, null, {
        reason: `a ${p.settable ? 'settable ' : ''}${p.datatype}${p.unit ? ` in ${p.unit}` : ''}${p.format ? ` (${p.format})` : ''}; no library capability takes it as announced`,
      });
    }
  }
  return out;
};

/** The properties a v5 `$description` declares (bounded: at most 400). */
export const v5Properties = (description: Record<string, unknown> | undefined): HomieProperty[] => {
  const out: HomieProperty[] = [];
  const nodes = description?.nodes;
  if (!nodes || typeof nodes !== 'object' || Array.isArray(nodes)) return out;
  for (const [node, n] of Object.entries(nodes)) {
    const props = (n as { properties?: unknown } | null)?.properties;
    if (!props || typeof props !== 'object' || Array.isArray(props)) continue;
    for (const [id, raw] of Object.entries(props)) {
      if (out.length >= 400) return out;
      const p = (raw ?? {}) as Record<string, unknown>;
      out.push({
        node,
        id,
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        ...(typeof p.datatype === 'string' ? { datatype: p.datatype } : {}),
        settable: p.settable === true,
        ...(typeof p.unit === 'string' ? { unit: p.unit } : {}),
        ...(typeof p.format === 'string' ? { format: p.format } : {}),
      });
    }
  }
  return out;
};

/** The properties v4 attribute messages (`<node>/<prop>/$datatype`… by topic, below the device) declare. */
export const v4Properties = (
  attributes: ReadonlyMap<string, string>,
  nodes: readonly string[],
): HomieProperty[] => {
  const byProp = new Map<string, Record<string, string>>();
  for (const [topic, value] of attributes) {
    const parts = topic.split('/');
    const [node, id, attribute] = parts.slice(-3);
    if (!node || !id || !attribute) continue;
    const key = `${node}/${id}`;
    byProp.set(key, { ...(byProp.get(key) ?? {}), [attribute.slice(1)]: value });
  }
  const known = new Set(nodes);
  return [...byProp.entries()]
    .filter(([key]) => known.size === 0 || known.has(key.split('/')[0]!))
    .map(([key, a]) => {
      const [node, id] = key.split('/') as [string, string];
      return {
        node,
        id,
        ...(a.name ? { name: a.name } : {}),
        ...(a.datatype ? { datatype: a.datatype } : {}),
        settable: a.settable === 'true',
        ...(a.unit ? { unit: a.unit } : {}),
        ...(a.format ? { format: a.format } : {}),
      };
    });
};
