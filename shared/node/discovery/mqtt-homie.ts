import { deviceText } from '../../core/registry/text';
import { mqttSighting, parseJsonObject, str, type MqttDiscoveryContext } from './mqtt-context';
import { homieEntities, v4Properties, v5Properties } from './homie-entities';

interface HomieState {
  readonly root: string;
  readonly id: string;
  readonly version: '4' | '5';
  homie?: string;
  name?: string;
  state?: string;
  /** Homie 2's `$online` (`true`/`false`), which Homie 3 replaced with `$state`. */
  online?: string;
  nodes?: string;
  description?: Record<string, unknown>;
  /** Property attributes (v4 `<node>/<property>/$datatype`, `$settable`, `$format`, `$unit`) by topic. */
  attributes?: Map<string, string>;
}

/** The property attributes entities and model rules read; others (`$retained`) are not needed. */
const PROPERTY_ATTRIBUTES = ['$datatype', '$settable', '$format', '$unit', '$name'];
/** A device describing more property attributes than this is not kept whole (a bound on memory). */
const MAX_ATTRIBUTES = 1000;

const onlineOf = (state: string | undefined, online: string | undefined): boolean | null => {
  if (state === undefined) return online === 'true' ? true : online === 'false' ? false : null;
  if (state === 'lost' || state === 'disconnected') return false;
  if (state === 'ready' || state === 'sleeping' || state === 'alert' || state === 'init') return true;
  return null;
};

/**
 * Homie v4 (`<root>/<id>/$homie`, `$name`, `$state`, `$nodes`) and v5 (`<root>/5/<id>/$state`
 * and the JSON `$description`); v2 and v3 devices are read as v4 (v2 says `$online` instead of
 * `$state`, and its `$properties` carry no datatypes, so its properties give no entities). A v4 device is reported once `$homie` is seen (so other
 * `$state` topics are not mistaken for Homie); an empty retained `$state` removes the device.
 */
export const createHomieInterpreter = (ctx: MqttDiscoveryContext) => {
  const states = new Map<string, HomieState>();

  const report = (key: string, s: HomieState): void => {
    const nodes =
      s.version === '5'
        ? Object.keys((s.description?.nodes as object | undefined) ?? {})
        : (s.nodes ?? '').split(',').filter(Boolean);
    const base = `${s.root}/${s.version === '5' ? '5/' : ''}${s.id}`;
    const entities = homieEntities(
      base,
      s.version === '5' ? v5Properties(s.description) : v4Properties(s.attributes ?? new Map(), nodes),
    );
    ctx.sink.upsert(
      mqttSighting(`homie:${key}`, {
        identity: { topic: s.id },
        name: deviceText(s.name ?? str(s.description, 'name') ?? s.id),
        kind: 'device',
        facts: {
          'mqtt.protocol': 'homie',
          'homie.version': s.homie ?? s.version,
          'homie.nodes': nodes.join(','),
          // What each property is, as the messages that said it, for model rules with `siblings`.
          ...Object.fromEntries(
            [...(s.attributes ?? [])]
              .filter(([topic]) => !topic.endsWith('/$name'))
              .map(([topic, text]) => [`topic:${topic}`, text]),
          ),
        },
        online: onlineOf(s.state, s.online),
        raw: {
          $homie: s.homie ?? null,
          $name: s.name ?? null,
          $state: s.state ?? null,
          $nodes: s.nodes ?? null,
          $description: s.description ?? null,
        },
        entities,
        seenAt: ctx.now(),
      }),
    );
  };

  return {
    filters: [
      '+/+/$homie',
      '+/+/$name',
      '+/+/$state',
      '+/+/$online',
      '+/+/$nodes',
      '+/5/+/$state',
      '+/5/+/$description',
      ...PROPERTY_ATTRIBUTES.map((a) => `+/+/+/+/${a}`),
    ],
    handle(topic: string, text: string): boolean {
      const parts = topic.split('/');
      if (parts.length === 5 && PROPERTY_ATTRIBUTES.includes(parts[4]!)) {
        // A v4 property attribute: kept with its device, reported once the device is known.
        const key = `${parts[0]}/${parts[1]}`;
        const s: HomieState = states.get(key) ?? { root: parts[0]!, id: parts[1]!, version: '4' };
        const attributes = (s.attributes ??= new Map());
        if (text === '') attributes.delete(topic);
        else if (attributes.has(topic) || attributes.size < MAX_ATTRIBUTES)
          attributes.set(topic, deviceText(text, 100));
        states.set(key, s);
        // A property's $name only names it: kept for the entity, but it is no evidence for model rules.
        if (s.homie !== undefined && parts[4] !== '$name') report(key, s);
        return true;
      }
      const v5 = parts.length === 4 && parts[1] === '5';
      if (!(v5 || parts.length === 3) || !parts[parts.length - 1].startsWith('$')) return false;
      const root = parts[0];
      const id = v5 ? parts[2] : parts[1];
      const attribute = parts[parts.length - 1];
      const key = `${root}/${v5 ? '5/' : ''}${id}`;
      const known = states.get(key);
      if (!v5 && !known && attribute !== '$homie') {
        // Remember early attributes in case `$homie` follows; they are not reported until then.
        if (text === '') return true;
        states.set(key, { root, id, version: '4', [attribute.slice(1)]: deviceText(text, 300) });
        return true;
      }
      const s: HomieState = known ?? { root, id, version: v5 ? '5' : '4' };
      if (attribute === '$state' && text === '') {
        states.delete(key);
        ctx.sink.remove('mqtt', `homie:${key}`);
        return true;
      }
      switch (attribute) {
        case '$homie':
          s.homie = deviceText(text, 20);
          break;
        case '$name':
          s.name = deviceText(text);
          break;
        case '$state':
          s.state = deviceText(text, 20);
          break;
        case '$online':
          s.online = deviceText(text, 20);
          break;
        case '$nodes':
          s.nodes = deviceText(text, 1000);
          break;
        case '$description': {
          const description = parseJsonObject(ctx, topic, text);
          if (description) s.description = description;
          break;
        }
        default:
          return true;
      }
      states.set(key, s);
      if (s.version === '5' || s.homie !== undefined) report(key, s);
      return true;
    },
  };
};

/**
 * Fieldgraph gateways: `fieldgraph/v1/gw/<id>/status`, retained, with a Last Will. The payload
 * is the gateway's JSON status (`online`/`state`, `version`, `name`, …) or a plain `online`/`offline`.
 */
export const createGatewayInterpreter = (ctx: MqttDiscoveryContext) => ({
  filters: ['fieldgraph/v1/gw/+/status'],
  handle(topic: string, text: string): boolean {
    const parts = topic.split('/');
    if (parts.length !== 5 || parts[0] !== 'fieldgraph' || parts[2] !== 'gw' || parts[4] !== 'status')
      return false;
    const id = parts[3];
    if (text === '') {
      ctx.sink.remove('mqtt', `gateway:${id}`);
      return true;
    }
    let status: Record<string, unknown> = {};
    let online: boolean | null = null;
    if (text === 'online' || text === 'offline') online = text === 'online';
    else {
      const parsed = parseJsonObject(ctx, topic, text);
      if (!parsed) return true;
      status = parsed;
      const state = str(status, 'state', 'status');
      online = typeof status.online === 'boolean' ? status.online : state ? state === 'online' : null;
    }
    const address = str(status, 'address', 'ip', 'host');
    ctx.sink.upsert(
      mqttSighting(`gateway:${id}`, {
        identity: { topic: `gw:${id}` },
        name: deviceText(str(status, 'name') ?? id),
        kind: 'gateway',
        facts: {
          'mqtt.protocol': 'fieldgraph',
          ...(str(status, 'version') ? { 'gateway.version': str(status, 'version') as string } : {}),
        },
        addresses: address ? [deviceText(address, 100)] : [],
        online,
        raw: { status: Object.keys(status).length ? status : text },
        seenAt: ctx.now(),
      }),
    );
    return true;
  },
});
