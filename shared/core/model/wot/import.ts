/**
 * Imports a W3C WoT Thing Description or Thing Model as a device model plus the capabilities it
 * needs. A TD exported by Fieldgraph (it carries `fg:model`) comes back as the same model; any
 * other TD or TM becomes one capability named after its title, with every affordance, and a
 * model binding each affordance it can through MQTT or HTTP forms (topics in `mqv:` terms or
 * in the href path, URI templates, relative hrefs, HTTP long-poll and server-sent events).
 * TM placeholders `{{NAME}}` and URI variables become device settings; `tm:extends` and
 * `tm:ref` are followed. The report names every affordance imported, and every one left
 * unbound with the reason.
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
  type PropertyAffordance,
  type Subscription,
  type VariableSpec,
  type WireOperation,
} from '../schemas';
import { validateCapability, validateDeviceModel } from '../validate';
import {
  formsOf,
  fromPlaceholders,
  isMqtt,
  isObject,
  opsOf,
  pick,
  resolveUrl,
  safeName,
  slug,
  str,
  toDataSchema,
  toOperation,
  toSubscription,
  type FormContext,
  type Json,
} from './forms';
import { composeThingModel, type LoadModel } from './thing-model';
import { TD_CONTEXT_NEXT, TD_CONTEXT_V1, TD_CONTEXT_V11 } from './vocabulary';

/** What was imported, and each affordance left unbound with the reason (`properties/power`). */
export interface ImportReport {
  readonly imported: readonly string[];
  readonly skipped: readonly { readonly affordance: string; readonly reason: string }[];
}

/** What an import produced: the model and new capabilities, or the problems that stopped it. */
export type ImportResult =
  | { ok: true; model: DeviceModel; capabilities: Capability[]; problems: Problem[]; report: ImportReport }
  | { ok: false; problems: Problem[] };

/** Where the input came from and how to read what it links to. */
export interface ImportOptions {
  /** The file name, for problems and as the title of a Thing Model without one. */
  readonly file?: string;
  /** The URL the TD was fetched from, or `--base`: relative hrefs resolve against it when the TD has no `base`. */
  readonly base?: string;
  /** Reads Thing Models that `tm:extends` and `tm:ref` name. */
  readonly load?: LoadModel;
}

/**
 * Imports a TD or TM. `catalog` is what capability ids are checked against (the library plus
 * the project). Never throws: input that is not a TD gives problems.
 */
export const importThingDescription = (
  input: unknown,
  catalog: Catalog,
  fileOrOptions?: string | ImportOptions,
): ImportResult => {
  const options: ImportOptions =
    typeof fileOrOptions === 'string' ? { file: fileOrOptions } : (fileOrOptions ?? {});
  const { file } = options;
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
  const warn = (path: string, message: string, hint: string) =>
    problems.push(problem('schema.invalid', 'warning', path, message, hint, file));
  const composed = isModel ? composeThingModel(input, { ...options, warn }) : input;
  const fileTitle = file
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/\.(tm|td)?\.?json(ld)?$/i, '');
  const title = (str(composed.title) ?? (isModel ? fileTitle : undefined))?.slice(0, 200);
  if (!title) return fail('title', '"title" is missing', 'Every TD has a title.');
  const placeholders = new Set<string>();
  const td = fromPlaceholders(composed, placeholders) as Json;
  const fgModel = isObject(td['fg:model']) ? td['fg:model'] : undefined;
  const modelId = str(fgModel?.id) ?? slug(title);
  const ownCapability = `${slug(title)}@1`;
  const base = baseOf(str(td.base), options.base);
  const variables: Record<string, VariableSpec> = {};
  for (const name of placeholders)
    variables[name] = { title: name, description: 'A Thing Model placeholder.' };
  const thingUriVariables = isObject(td.uriVariables) ? td.uriVariables : {};
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
  const imported: string[] = [];
  const skipped: { affordance: string; reason: string }[] = [];
  // Two TD names can make one of ours (`on-off`, `on_off`): each implementation keeps them apart.
  const taken = new Set<string>();
  const nameFor = (kind: string, impl: string, raw: Json, tdName: string): string => {
    const wanted = str(raw['fg:affordance']) ?? safeName(tdName);
    let name = wanted;
    for (let i = 2; taken.has(`${impl}/${kind}/${name}`); i++) name = `${wanted.slice(0, 56)}_${i}`;
    taken.add(`${impl}/${kind}/${name}`);
    return name;
  };
  const contextFor = (path: string, raw: Json): FormContext => ({
    base,
    path,
    uriVariables: { ...thingUriVariables, ...(isObject(raw.uriVariables) ? raw.uriVariables : {}) },
    variables,
    defaultJson: fgModel === undefined,
    warn,
  });
  /** Reports an affordance: imported when bound, else skipped with the reasons its forms gave. */
  const account = (kind: string, tdName: string, bound: boolean, reasons: string[], hasForms: boolean) => {
    const affordance = `${kind}/${tdName}`;
    if (bound) {
      imported.push(affordance);
      return;
    }
    const reason =
      [...new Set(reasons)].join('; ') ||
      (hasForms ? 'none of its forms is for this operation' : 'it has no forms');
    skipped.push({
      affordance,
      reason: !hasForms && isModel ? `${reason} (a Thing Model leaves them to its instances)` : reason,
    });
    warn(
      `${kind}.${tdName}`,
      `the ${kind.slice(0, -1)} "${tdName}" is not bound: ${reason}`,
      'It is in the capability, so flows can use it, but the device model cannot reach it.',
    );
  };

  const notAnAffordance = (kind: string, tdName: string) => {
    skipped.push({
      affordance: `${kind}/${tdName}`,
      reason: 'it is not an affordance (a JSON object with forms)',
    });
    warn(`${kind}.${tdName}`, `"${tdName}" is not an affordance`, 'Each entry must be a JSON object.');
  };
  for (const [tdName, raw] of Object.entries(isObject(td.properties) ? td.properties : {})) {
    if (!isObject(raw)) {
      notAnAffordance('properties', tdName);
      continue;
    }
    const path = `properties.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = nameFor('properties', key, raw, tdName);
    const ctx = contextFor(path, raw);
    const reasons: string[] = [];
    const reads: WireOperation[] = [];
    const writes: WireOperation[] = [];
    const observe: Subscription[] = [];
    // A form without `op` reads and writes (TD defaults); observing is always named.
    const defaults = raw.readOnly
      ? ['readproperty']
      : raw.writeOnly
        ? ['writeproperty']
        : ['readproperty', 'writeproperty'];
    formsOf(raw).forEach((form, i) => {
      const ops = opsOf(form, defaults);
      const mqtt = isMqtt(form, str(form.href) ?? '') || /^mqtts?:/i.test(base ?? '');
      const exported = str(form['fg:rpcMethod']) !== undefined;
      // Over MQTT a value is read by subscribing (to a retained topic); over HTTP by GET.
      const subscribe =
        ops.includes('observeproperty') || (mqtt && !exported && ops.includes('readproperty'));
      if (
        subscribe &&
        !(
          mqtt &&
          !exported &&
          ops.includes('writeproperty') &&
          !form['mqv:filter'] &&
          !ops.includes('observeproperty')
        )
      ) {
        const sub = toSubscription(form, ctx, i, (r) => reasons.push(r), raw.type);
        if (sub) observe.push(sub);
      }
      if (ops.includes('readproperty') && (!mqtt || exported)) {
        const op = toOperation(form, 'readproperty', ctx, i, (r) => reasons.push(r));
        if (op) reads.push(op);
      }
      if (ops.includes('writeproperty')) {
        const op = toOperation(form, 'writeproperty', ctx, i, (r) => reasons.push(r));
        if (op) writes.push(op);
      }
    });
    const read = pick(reads);
    const write = pick(writes);
    const bound = Boolean(read || write || observe.length);
    account('properties', tdName, bound, reasons, formsOf(raw).length > 0);
    if (bound) {
      impl.properties = {
        ...impl.properties,
        [name]: {
          ...(read ? { read } : {}),
          ...(write ? { write } : {}),
          ...(observe.length ? { observe } : {}),
          ...maps(raw),
        },
      };
    }
    if (key === 'main') {
      const affordance: PropertyAffordance = {
        title: (str(raw.title) ?? tdName).slice(0, 200),
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        data: toDataSchema(raw),
        read: bound ? Boolean(read || observe.length) : raw.writeOnly !== true,
        write: bound ? Boolean(write) : raw.readOnly !== true,
        observe: bound ? observe.length > 0 : raw.observable === true,
      };
      newCapability.properties[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.actions) ? td.actions : {})) {
    if (!isObject(raw)) {
      notAnAffordance('actions', tdName);
      continue;
    }
    const path = `actions.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = nameFor('actions', key, raw, tdName);
    const ctx = contextFor(path, raw);
    const reasons: string[] = [];
    const ops = formsOf(raw)
      .map((form, i) =>
        opsOf(form, ['invokeaction']).includes('invokeaction')
          ? toOperation(form, 'invokeaction', ctx, i, (r) => reasons.push(r))
          : undefined,
      )
      .filter((o): o is WireOperation => o !== undefined);
    const invoke = pick(ops);
    account('actions', tdName, invoke !== undefined, reasons, formsOf(raw).length > 0);
    if (invoke) impl.actions = { ...impl.actions, [name]: { invoke, ...maps(raw) } };
    if (key === 'main') {
      const affordance: ActionAffordance = {
        title: (str(raw.title) ?? tdName).slice(0, 200),
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.input) ? { input: toDataSchema(raw.input) } : {}),
        ...(isObject(raw.output) ? { output: toDataSchema(raw.output) } : {}),
      };
      newCapability.actions[name] = affordance;
    }
  }
  for (const [tdName, raw] of Object.entries(isObject(td.events) ? td.events : {})) {
    if (!isObject(raw)) {
      notAnAffordance('events', tdName);
      continue;
    }
    const path = `events.${tdName}`;
    const [impl, key] = implFor(raw);
    const name = nameFor('events', key, raw, tdName);
    const ctx = contextFor(path, raw);
    const reasons: string[] = [];
    const subscribe = formsOf(raw)
      .map((form, i) =>
        opsOf(form, ['subscribeevent']).includes('subscribeevent')
          ? toSubscription(
              form,
              ctx,
              i,
              (r) => reasons.push(r),
              isObject(raw.data) ? raw.data.type : undefined,
            )
          : undefined,
      )
      .filter((s): s is Subscription => s !== undefined);
    account('events', tdName, subscribe.length > 0, reasons, formsOf(raw).length > 0);
    if (subscribe.length) impl.events = { ...impl.events, [name]: { subscribe, ...maps(raw) } };
    if (key === 'main') {
      const affordance: EventAffordance = {
        title: (str(raw.title) ?? tdName).slice(0, 200),
        ...(str(raw.description) ? { description: str(raw.description)! } : {}),
        ...(isObject(raw.data) ? { data: toDataSchema(raw.data) } : {}),
      };
      newCapability.events[name] = affordance;
    }
  }

  if (Object.keys(implementations).length === 0) implementations.main = { capability: ownCapability };
  if (imported.length === 0 && skipped.length > 0)
    warn(
      '',
      'no affordance could be bound, so the device model cannot reach the device',
      'The capability was imported; add MQTT or HTTP forms (or import the TD of an instance) to bind it.',
    );
  const declared = isObject(fgModel?.variables) ? (fgModel.variables as Record<string, VariableSpec>) : {};
  const allVariables: Record<string, VariableSpec> = { ...variables, ...declared };
  const usesRpc = Object.values(implementations).some((i) =>
    Object.values(i.properties ?? {}).some((p) => p.read?.kind === 'rpc' || p.write?.kind === 'rpc'),
  );
  if (usesRpc) for (const v of ['host', 'prefix']) allVariables[v] ??= { title: v };
  const capabilities: Capability[] =
    implementations.main?.capability === ownCapability
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
    ...(Object.keys(allVariables).length ? { variables: allVariables } : {}),
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
    ...validateDeviceModel(model, { catalog: combined, file }).filter(
      (p) => p.code !== 'model.missing_binding',
    ),
  ];
  problems.push(...errors);
  if (errors.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, model, capabilities, problems, report: { imported, skipped } };
};

/** The TD's base made absolute against where the TD came from; the caller's base when it has none. */
const baseOf = (own: string | undefined, given: string | undefined): string | undefined => {
  if (!own) return given;
  if (/^[a-z][a-z0-9+.-]*:/i.test(own) || !given) return own;
  return resolveUrl(own, given) ?? given;
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
