/**
 * Exports a device model as a W3C WoT Thing Description 1.1: each bound affordance of each
 * implementation becomes a TD affordance named `<implementation>_<name>` with forms for the
 * MQTT binding (`mqv:topic` / `mqv:filter`) or HTTP (`htv:methodName`); `fg:` terms keep what
 * TD cannot express, so `importThingDescription` gets the model back.
 */
import { flattenCapability, type Catalog, type FlatCapability } from '../catalog';
import { resolveMappings } from '../mapping';
import type {
  DataSchema,
  DeviceModel,
  MappingRef,
  PropertyAffordance,
  Subscription,
  WireOperation,
} from '../schemas';
import type { Variables } from '../template';
import { exportContext } from './vocabulary';

/** Options of an export: where the broker is, and the device's variables when exporting one device. */
export interface ExportOptions {
  /** `mqtt://host:port` of the broker MQTT forms point at; default `mqtt://localhost:1883`. */
  readonly broker?: string;
  /** Instance variables; placeholders without a value stay as TM-style `{{name}}`. */
  readonly variables?: Variables;
  /** The TD `id`; default `urn:fieldgraph:model:<model id>`. */
  readonly id?: string;
}

type Json = Record<string, unknown>;

/** `{name}` → value when known, else `{{name}}` (Thing Model placeholder syntax). */
const fillOrPlaceholder = (text: string, vars: Variables): string =>
  text.replace(/\{\{value\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string | undefined) =>
    name === undefined ? whole : Object.hasOwn(vars, name) ? String(vars[name]) : `{{${name}}}`,
  );

const fillJsonOrPlaceholder = (template: unknown, vars: Variables): unknown => {
  if (typeof template === 'string') return fillOrPlaceholder(template, vars);
  if (Array.isArray(template)) return template.map((t) => fillJsonOrPlaceholder(t, vars));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillJsonOrPlaceholder(v, vars)]));
  }
  return template;
};

const contentType = (payload: unknown): string =>
  payload === undefined || typeof payload === 'string' ? 'text/plain' : 'application/json';

const operationForms = (op: WireOperation, tdOp: string, broker: string, vars: Variables): Json[] => {
  switch (op.kind) {
    case 'mqtt':
      return [
        {
          href: broker,
          op: tdOp,
          'mqv:topic': fillOrPlaceholder(op.topic, vars),
          'mqv:controlPacket': 'publish',
          ...(op.qos === undefined ? {} : { 'mqv:qos': String(op.qos) }),
          ...(op.retain === undefined ? {} : { 'mqv:retain': op.retain }),
          contentType: contentType(op.payload),
          'fg:payload': fillJsonOrPlaceholder(op.payload ?? '{{value}}', vars),
        },
      ];
    case 'http':
      return [
        {
          href: fillOrPlaceholder(op.url, vars),
          op: tdOp,
          'htv:methodName': op.method,
          ...(op.body === undefined
            ? {}
            : { contentType: contentType(op.body), 'fg:payload': fillJsonOrPlaceholder(op.body, vars) }),
          ...(op.valuePath === undefined ? {} : { 'fg:valuePath': fillOrPlaceholder(op.valuePath, vars) }),
        },
      ];
    case 'rpc': {
      const rpc = {
        'fg:rpcMethod': op.method,
        ...(op.params === undefined ? {} : { 'fg:rpcParams': fillJsonOrPlaceholder(op.params, vars) }),
        ...(op.resultPath === undefined ? {} : { 'fg:resultPath': op.resultPath }),
      };
      const http = {
        href: fillOrPlaceholder('http://{host}/rpc', vars),
        op: tdOp,
        'htv:methodName': 'POST',
        contentType: 'application/json',
        'fg:rpcVia': 'http',
        ...rpc,
      };
      const mqtt = {
        href: broker,
        op: tdOp,
        'mqv:topic': fillOrPlaceholder('{prefix}/rpc', vars),
        'mqv:controlPacket': 'publish',
        contentType: 'application/json',
        'fg:rpcVia': 'mqtt',
        ...rpc,
      };
      return op.via === 'http' ? [http] : op.via === 'mqtt' ? [mqtt] : [mqtt, http];
    }
  }
};

const subscriptionForm = (sub: Subscription, ops: string[], broker: string, vars: Variables): Json => ({
  ...(sub.kind === 'mqtt'
    ? {
        href: broker,
        op: ops,
        'mqv:filter': fillOrPlaceholder(sub.topic, vars),
        'mqv:controlPacket': 'subscribe',
      }
    : {
        href: fillOrPlaceholder(sub.url, vars),
        op: ops,
        subprotocol: sub.mode,
        ...(sub.event === undefined ? {} : { 'fg:sseEvent': fillOrPlaceholder(sub.event, vars) }),
      }),
  contentType: sub.format === 'text' ? 'text/plain' : 'application/json',
  ...(sub.format === undefined ? {} : { 'fg:format': sub.format }),
  ...(sub.valuePath === undefined ? {} : { 'fg:valuePath': fillOrPlaceholder(sub.valuePath, vars) }),
  ...(sub.where === undefined ? {} : { 'fg:where': fillJsonOrPlaceholder(sub.where, vars) }),
});

const mapTerms = (refs: readonly MappingRef[] | undefined, model: DeviceModel): Json => {
  const chain = resolveMappings(refs, model.mappings);
  return chain.ok && chain.mappings.length ? { 'fg:map': chain.mappings } : {};
};

const propertySchema = (p: PropertyAffordance | undefined): DataSchema => p?.data ?? {};

/**
 * The Thing Description of a device model (of one device, when `variables` are given). Only
 * affordances the model binds are exported: a TD affordance must have forms.
 */
export const modelToThingDescription = (
  model: DeviceModel,
  catalog: Pick<Catalog, 'capabilities'>,
  options: ExportOptions = {},
): Json => {
  const broker = options.broker ?? 'mqtt://localhost:1883';
  const properties: Json = {};
  const actions: Json = {};
  const events: Json = {};
  const defaults: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(model.variables ?? {}))
    if (spec.default !== undefined) defaults[name] = spec.default;
  for (const [key, impl] of Object.entries(model.implements)) {
    // A device's TD fills defaults too; a model's TD keeps every variable as a placeholder.
    const vars: Variables = options.variables
      ? { ...defaults, ...options.variables, ...(impl.variables ?? {}) }
      : { ...(impl.variables ?? {}) };
    const flat: FlatCapability | undefined = (() => {
      const r = flattenCapability(impl.capability, catalog);
      return r.ok ? r.capability : undefined;
    })();
    const origin = (name: string) => ({
      'fg:implementation': key,
      'fg:capability': impl.capability,
      'fg:affordance': name,
    });
    for (const [name, b] of Object.entries(impl.properties ?? {})) {
      const affordance = flat?.properties[name];
      const forms = [
        ...(b.read ? operationForms(b.read, 'readproperty', broker, vars) : []),
        ...(b.write ? operationForms(b.write, 'writeproperty', broker, vars) : []),
        ...(b.observe ?? []).map((s) =>
          subscriptionForm(s, ['observeproperty', 'unobserveproperty'], broker, vars),
        ),
      ];
      if (!forms.length) continue;
      properties[`${key}_${name}`] = {
        ...propertySchema(affordance),
        title: affordance?.title ?? name,
        ...(affordance?.description ? { description: affordance.description } : {}),
        observable: Boolean(b.observe?.length),
        readOnly: !b.write,
        writeOnly: !b.read && !b.observe?.length,
        ...origin(name),
        ...mapTerms(b.map, model),
        forms,
      };
    }
    for (const [name, b] of Object.entries(impl.actions ?? {})) {
      const affordance = flat?.actions[name];
      actions[`${key}_${name}`] = {
        title: affordance?.title ?? name,
        ...(affordance?.description ? { description: affordance.description } : {}),
        ...(affordance?.input ? { input: affordance.input } : {}),
        ...(affordance?.output ? { output: affordance.output } : {}),
        ...origin(name),
        ...mapTerms(b.map, model),
        forms: operationForms(b.invoke, 'invokeaction', broker, vars),
      };
    }
    for (const [name, b] of Object.entries(impl.events ?? {})) {
      const affordance = flat?.events[name];
      events[`${key}_${name}`] = {
        title: affordance?.title ?? name,
        ...(affordance?.description ? { description: affordance.description } : {}),
        ...(affordance?.data ? { data: affordance.data } : {}),
        ...origin(name),
        ...mapTerms(b.map, model),
        forms: b.subscribe.map((s) =>
          subscriptionForm(s, ['subscribeevent', 'unsubscribeevent'], broker, vars),
        ),
      };
    }
  }
  return {
    '@context': exportContext,
    '@type': 'Thing',
    id: options.id ?? `urn:fieldgraph:model:${model.id}`,
    title: model.title,
    ...(model.description ? { description: model.description } : {}),
    securityDefinitions: { nosec_sc: { scheme: 'nosec' } },
    security: 'nosec_sc',
    'fg:model': {
      id: model.id,
      protocols: model.protocols,
      ...(model.manufacturer ? { manufacturer: model.manufacturer } : {}),
      ...(model.firmware ? { firmware: model.firmware } : {}),
      ...(model.variables ? { variables: model.variables } : {}),
      ...(model.mappings ? { mappings: model.mappings } : {}),
      ...(model.availability ? { availability: model.availability } : {}),
      ...(model.discovery ? { discovery: model.discovery } : {}),
      ...(model.commissioning ? { commissioning: model.commissioning } : {}),
      implements: Object.fromEntries(
        Object.entries(model.implements).map(([k, i]) => [
          k,
          {
            capability: i.capability,
            ...(i.title ? { title: i.title } : {}),
            ...(i.variables ? { variables: i.variables } : {}),
            ...(i.when ? { when: i.when } : {}),
          },
        ]),
      ),
    },
    ...(Object.keys(properties).length ? { properties } : {}),
    ...(Object.keys(actions).length ? { actions } : {}),
    ...(Object.keys(events).length ? { events } : {}),
  };
};
