/**
 * Imports a W3C WoT Thing Description or Thing Model as a device model plus the capabilities it
 * needs. A TD exported by Fieldgraph (it carries `fg:model`) comes back as the same model; any
 * other TD becomes one capability named after its title and a model binding each affordance
 * through its MQTT or HTTP forms. TM placeholders `{{NAME}}` become instance variables.
 */
import { createCatalog, type Catalog } from '../catalog';
import { problem, type Problem } from '../problems';
import {
  type ActionAffordance,
  type Capability,
  type DeviceModel,
  type EventAffordance,
  type Implementation,
  type Mapping,
  type MqttSubscription,
  type PropertyAffordance,
  type VariableSpec,
  type WireOperation,
} from '../schemas';
import { validateCapability, validateDeviceModel } from '../validate';
import {
  absolute,
  formsOf,
  fromPlaceholders,
  isMqtt,
  isObject,
  opsOf,
  pick,
  safeName,
  slug,
  str,
  toDataSchema,
  toOperation,
  toSubscription,
  type FormContext,
  type Json,
} from './forms';
import { TD_CONTEXT_NEXT, TD_CONTEXT_V1, TD_CONTEXT_V11 } from './vocabulary';

/** What an import produced: the model and new capabilities, or the problems that stopped it. */
export type ImportResult =
  | { ok: true; model: DeviceModel; capabilities: Capability[]; problems: Problem[] }
  | { ok: false; problems: Problem[] };

/**
 * Imports a TD or TM. `catalog` is what capability ids are checked against (the library plus
 * the project); problems carry `file` when given.
 */
export const importThingDescription = (input: unknown, catalog: Catalog, file?: string): ImportResult => {
  const problems: Problem[] = [];
  const fail = (path: string, message: string, hint: string): ImportResult => ({
    ok: false,
    problems: [problem('schema.invalid', 'error', path, message, hint, file)],
  });
  if (!isObject(input))
    return fail('', 'a Thing Description must be a JSON object', 'Give the TD or TM file itself.');
  const types = ([] as unknown[]).concat(input['@type'] ?? []);
  const isModel = types.includes('tm:ThingModel');
  const contexts = ([] as unknown[]).concat(input['@context'] ?? []);
  if (
    !isModel &&
    !contexts.some((c) => c === TD_CONTEXT_V11 || c === TD_CONTEXT_V1 || c === TD_CONTEXT_NEXT)
  ) {
    return fail(
      '@context',
      'this is not a Thing Description: its @context names neither TD 1.0 nor TD 1.1',
      `Add "${TD_CONTEXT_V11}" to @context.`,
    );
  }
  const title = str(input.title);
  if (!title) return fail('title', '"title" is missing', 'Every TD has a title.');
  const warn = (path: string, message: string, hint: string) =>
    problems.push(problem('schema.invalid', 'warning', path, message, hint, file));
  if (
    Array.isArray(input.links) &&
    input.links.some((l) => isObject(l) && typeof l.rel === 'string' && l.rel.startsWith('tm:'))
  ) {
    warn(
      'links',
      'tm:extends and tm:submodel links are not followed',
      'Import the linked Thing Models too, or inline their affordances.',
    );
  }
  const placeholders = new Set<string>();
  const td = fromPlaceholders(input, placeholders) as Json;
  const base = str(td.base);
  const fgModel = isObject(td['fg:model']) ? td['fg:model'] : undefined;
  const modelId = str(fgModel?.id) ?? slug(title);
  const ownCapability = `${slug(title)}@1`;
  const newCapability: Required<Pick<Capability, 'properties' | 'actions' | 'events'>> = {
    properties: {},
    actions: {},
    events: {},
  };
  const implementations: Record<string, Implementation> = {};
  if (fgModel && isObject(fgModel.implements)) {
    for (const [k, v] of Object.entries(fgModel.implements))
      if (isObject(v)) implementations[k] = { ...(v as Implementation) };
  }
  const implFor = (affordance: Json): [Implementation, string] => {
    const key = str(affordance['fg:implementation']);
    if (key && implementations[key]) return [implementations[key]!, key];
    implementations.main ??= { capability: ownCapability };
    return [implementations.main, 'main'];
  };
  const maps = (a: Json): { map?: Mapping[] } =>
    Array.isArray(a['fg:map']) ? { map: a['fg:map'] as Mapping[] } : {};

  for (const [tdName, raw] of Object.entries(isObject(td.properties) ? td.properties : {})) {
    if (!isObject(raw)) continue;
    const path = `properties.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const ctx: FormContext = { base, path, warn };
    const reads: WireOperation[] = [];
    const writes: WireOperation[] = [];
    const observe: MqttSubscription[] = [];
    formsOf(raw).forEach((form, i) => {
      const ops = opsOf(
        form,
        raw.readOnly
          ? ['readproperty']
          : raw.writeOnly
            ? ['writeproperty']
            : ['readproperty', 'writeproperty'],
      );
      const href = absolute(str(form.href) ?? '', base);
      const mqttSubscribe = isMqtt(form, href) && form['mqv:filter'] !== undefined;
      if (ops.includes('observeproperty') || (mqttSubscribe && ops.includes('readproperty'))) {
        const sub = toSubscription(form, ctx, i);
        if (sub) observe.push(sub);
      } else if (ops.includes('readproperty')) {
        const op = toOperation(form, 'readproperty', ctx, i);
        if (op) reads.push(op);
      }
      if (ops.includes('writeproperty')) {
        const op = toOperation(form, 'writeproperty', ctx, i);
        if (op) writes.push(op);
      }
    });
    const read = pick(reads);
    const write = pick(writes);
    if (!read && !write && !observe.length) {
      warn(path, `the property "${tdName}" has no form Fieldgraph can use`, 'It was left out of the model.');
      continue;
    }
    impl.properties = {
      ...impl.properties,
      [name]: {
        ...(read ? { read } : {}),
        ...(write ? { write } : {}),
        ...(observe.length ? { observe } : {}),
        ...maps(raw),
      },
    };
    if (key === 'main') {
      const affordance: PropertyAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        data: toDataSchema(raw),
        read: Boolean(read || observe.length),
        write: Boolean(write),
        observe: observe.length > 0,
      };
      newCapability.properties[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.actions) ? td.actions : {})) {
    if (!isObject(raw)) continue;
    const path = `actions.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const ops = formsOf(raw)
      .map((form, i) => toOperation(form, 'invokeaction', { base, path, warn }, i))
      .filter((o): o is WireOperation => o !== undefined);
    const invoke = pick(ops);
    if (!invoke) {
      warn(path, `the action "${tdName}" has no form Fieldgraph can use`, 'It was left out of the model.');
      continue;
    }
    impl.actions = { ...impl.actions, [name]: { invoke, ...maps(raw) } };
    if (key === 'main') {
      const affordance: ActionAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.input) ? { input: toDataSchema(raw.input) } : {}),
        ...(isObject(raw.output) ? { output: toDataSchema(raw.output) } : {}),
      };
      newCapability.actions[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.events) ? td.events : {})) {
    if (!isObject(raw)) continue;
    const path = `events.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = str(raw['fg:affordance']) ?? safeName(tdName);
    const subscribe = formsOf(raw)
      .map((form, i) => toSubscription(form, { base, path, warn }, i))
      .filter((s): s is MqttSubscription => s !== undefined);
    if (!subscribe.length) {
      warn(
        path,
        `the event "${tdName}" has no MQTT form Fieldgraph can subscribe to`,
        'It was left out of the model.',
      );
      continue;
    }
    impl.events = { ...impl.events, [name]: { subscribe, ...maps(raw) } };
    if (key === 'main') {
      const affordance: EventAffordance = {
        title: str(raw.title) ?? tdName,
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.data) ? { data: toDataSchema(raw.data) } : {}),
      };
      newCapability.events[name] = affordance;
    }
  }

  const bound = Object.values(implementations).some(
    (i) =>
      Object.keys(i.properties ?? {}).length +
        Object.keys(i.actions ?? {}).length +
        Object.keys(i.events ?? {}).length >
      0,
  );
  if (!bound) {
    problems.push(
      problem(
        'schema.invalid',
        'error',
        '',
        'no property, action or event has a form Fieldgraph can use',
        'Fieldgraph binds MQTT (mqv:) and HTTP forms; add such forms to the TD.',
        file,
      ),
    );
    return { ok: false, problems };
  }
  const declared = isObject(fgModel?.variables) ? (fgModel.variables as Record<string, VariableSpec>) : {};
  const variables: Record<string, VariableSpec> = { ...declared };
  for (const name of placeholders)
    variables[name] ??= { title: name, description: 'A Thing Model placeholder.' };
  const hrefUsesBroker = Object.values(implementations).some((i) =>
    Object.values(i.properties ?? {}).some((p) => p.read?.kind === 'rpc' || p.write?.kind === 'rpc'),
  );
  if (hrefUsesBroker) for (const v of ['host', 'prefix']) variables[v] ??= { title: v };
  const capabilities: Capability[] = implementations.main
    ? [
        {
          schemaVersion: 1,
          id: ownCapability,
          title,
          ...(str(td.description) ? { description: str(td.description)! } : {}),
          ...newCapability,
        },
      ]
    : [];
  const model: DeviceModel = {
    schemaVersion: 1,
    id: modelId,
    title,
    ...(str(td.description) ? { description: str(td.description)! } : {}),
    ...(str(fgModel?.manufacturer) ? { manufacturer: str(fgModel!.manufacturer)! } : {}),
    ...(str(fgModel?.firmware) ? { firmware: str(fgModel!.firmware)! } : {}),
    protocols: Array.isArray(fgModel?.protocols)
      ? (fgModel.protocols as DeviceModel['protocols'])
      : protocolsOf(implementations),
    ...(Object.keys(variables).length ? { variables } : {}),
    implements: implementations,
    ...(isObject(fgModel?.mappings) ? { mappings: fgModel.mappings as DeviceModel['mappings'] } : {}),
    ...(isObject(fgModel?.availability)
      ? { availability: fgModel.availability as DeviceModel['availability'] }
      : {}),
    ...(Array.isArray(fgModel?.discovery)
      ? { discovery: fgModel.discovery as DeviceModel['discovery'] }
      : {}),
    ...(Array.isArray(fgModel?.commissioning)
      ? { commissioning: fgModel.commissioning as DeviceModel['commissioning'] }
      : {}),
  };
  const combined = createCatalog(
    [...catalog.capabilities.values(), ...capabilities],
    [...catalog.models.values()],
  );
  const errors = [
    ...capabilities.flatMap((c) => validateCapability(c, { catalog: combined, file })),
    ...validateDeviceModel(model, { catalog: combined, file }),
  ];
  problems.push(...errors);
  if (errors.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, model, capabilities, problems };
};

const protocolsOf = (implementations: Record<string, Implementation>): DeviceModel['protocols'] => {
  const out = new Set<DeviceModel['protocols'][number]>();
  for (const impl of Object.values(implementations)) {
    const ops = [
      ...Object.values(impl.properties ?? {}).flatMap((p) => [p.read, p.write, ...(p.observe ?? [])]),
      ...Object.values(impl.actions ?? {}).map((a) => a.invoke),
      ...Object.values(impl.events ?? {}).flatMap((e) => e.subscribe),
    ];
    for (const op of ops) {
      if (!op) continue;
      if (op.kind === 'mqtt') out.add('mqtt');
      else if (op.kind === 'http') out.add('http');
      else out.add(op.via === 'http' ? 'rpc-http' : 'rpc-mqtt');
    }
  }
  return [...out];
};
