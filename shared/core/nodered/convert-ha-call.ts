/**
 * api-call-service / call-service as writes to roles: one service on one or more entities whose
 * domain a capability describes becomes, per entity, the Set property and Device action nodes
 * that do what the service does with its data (convert-ha-services.ts), chained in the order
 * the entities are named. A service or entity filled in from the message, data that is a
 * template or JSONata, and targets other than entities keep the node a placeholder, naming why.
 */
import { bindingNote, entitiesOf, filledIn, list, mergeRoles, roleOf } from './convert-ha-entities';
import { notify } from './convert-ha-notify';
import { SERVICES, servicePlan, type ServiceData, type Write } from './convert-ha-services';
import { celString } from './values';
import { text, type Conversion, type Note, type Piece, type RedNode, type RoleNeed } from './types';

/**
 * Domains whose services deliver a message to people through Home Assistant's integrations and
 * do not convert (notify does, convert-ha-notify.ts): speech on a media player, Home
 * Assistant's own notification list.
 */
const SPOKEN = new Set(['notify', 'tts', 'persistent_notification', 'alexa_media']);

/** The service data as literal values, or why it is not literal (naming the key where one is). */
const dataOf = (n: RedNode): { data: ServiceData } | { reason: string } => {
  const raw = n.data;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw))
    return literal(raw as ServiceData, false);
  const source = text(raw).trim();
  if (source === '') return { data: {} };
  const jsonata = text(n.dataType) === 'jsonata';
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    const keys = [...source.matchAll(/"([^"]+)"\s*:\s*([^,}\s][^,}]*)/g)]
      .filter(([, , v]) => {
        try {
          JSON.parse(v!);
          return false;
        } catch {
          return true;
        }
      })
      .map(([, k]) => `“${k}”`);
    return {
      reason: jsonata
        ? `Its service data is a JSONata expression${keys.length ? ` (${keys.join(', ')} computed)` : ''}, which is not copied as CEL.`
        : 'Its service data is not valid JSON.',
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { reason: 'Its service data is not an object of keys and values.' };
  // In JSON mode Node-RED fills in Mustache tags in the text; JSONata string literals are kept as they are.
  return literal(parsed as ServiceData, !jsonata);
};

const literal = (data: ServiceData, mustache: boolean): { data: ServiceData } | { reason: string } => {
  if (mustache) {
    const templated = Object.entries(data).find(([, v]) => /\{\{/.test(JSON.stringify(v) ?? ''));
    if (templated)
      return {
        reason: `Its service data “${templated[0]}” is a template filled in from the message, which is not copied as CEL.`,
      };
  }
  return { data };
};

/**
 * Every service Home Assistant has in these domains, so that a service filled in from the
 * payload (`turn_{{payload}}`) can be a Switch over all the services it can name.
 */
const ALL_SERVICES: Readonly<Record<string, readonly string[]>> = {
  light: ['turn_on', 'turn_off', 'toggle'],
  switch: ['turn_on', 'turn_off', 'toggle'],
  input_boolean: ['turn_on', 'turn_off', 'toggle', 'reload'],
  homeassistant: [
    'turn_on',
    'turn_off',
    'toggle',
    'check_config',
    'reload_core_config',
    'reload_custom_templates',
    'reload_config_entry',
    'reload_all',
    'restart',
    'stop',
    'set_location',
    'update_entity',
    'save_persistent_states',
  ],
};

const PAYLOAD_TAG = /^([a-z_]*)\{\{\{?\s*payload\s*\}?\}\}([a-z_]*)$/;

/** The services a service name with one `{{payload}}` tag can become, by the payload naming each. */
const servicesFromPayload = (domain: string, service: string): Map<string, string> | undefined => {
  const m = PAYLOAD_TAG.exec(service);
  const all = ALL_SERVICES[domain];
  if (!m || !all) return undefined;
  const [, before, after] = m as unknown as [string, string, string];
  const out = new Map<string, string>();
  for (const s of all)
    if (s.length > before.length + after.length && s.startsWith(before) && s.endsWith(after))
      out.set(s.slice(before.length, s.length - after.length), s);
  return out.size ? out : undefined;
};

/** Per entity, the writes `domain.service` with `data` becomes, keyed from `prefix`, or why not. */
const writesFor = (
  domain: string,
  service: string,
  entities: readonly string[],
  data: ServiceData,
  prefix: string,
): { pieces: Piece[]; roles: RoleNeed[]; notes: string[] } | { reason: string } => {
  const pieces: Piece[] = [];
  const roles: RoleNeed[] = [];
  const notes = new Set<string>();
  for (const entity of entities) {
    const mapped = roleOf(entity);
    if ('reason' in mapped) return mapped;
    const plan = servicePlan(domain, service, mapped.domainName, data, mapped.role.id);
    if ('reason' in plan) return entities.length > 1 ? { reason: `For ${entity}: ${plan.reason}` } : plan;
    roles.push({ ...mapped.role, capability: plan.capability });
    for (const m of [...plan.notes, bindingNote(plan.capability, entity)]) if (m) notes.add(m);
    for (const w of plan.writes)
      pieces.push(piece(`${prefix}${pieces.length}`, mapped.role.id, w, pieces.length));
  }
  return { pieces, roles, notes: [...notes] };
};

const chainLinks = (pieces: readonly Piece[]) =>
  pieces.slice(1).map((p, i) => ({ from: [pieces[i]!.key, 'out'] as const, to: [p.key, 'in'] as const }));

/** api-call-service / call-service: a service of a mapped domain on its entities, with literal data. */
export const callService = (n: RedNode, note: Note): Conversion => {
  const action = text(n.action);
  const [domainName, service] = action.includes('.')
    ? action.split('.', 2)
    : [text(n.domain ?? n.service_domain), text(n.service)];
  if (!domainName || !service) return { reason: 'It takes the service to call from the message.' };
  const fromPayload = filledIn(domainName) ? undefined : servicesFromPayload(domainName, service);
  if (filledIn(domainName + service) && !fromPayload)
    return { reason: 'Its service is filled in from the message.' };
  if (domainName === 'notify' && !fromPayload) return notify(n, service, note);
  if (SPOKEN.has(domainName))
    return {
      reason: `It sends a notification or speech through Home Assistant's ${domainName}.${service} (a speaker's voice, Home Assistant's notification list…), which only Home Assistant delivers: rebuild it with a notifier role, an HTTP request or an MQTT publish to the service that delivers it.`,
    };
  for (const key of ['areaId', 'deviceId', 'floorId', 'labelId'])
    if (list(n[key]).length || list((n.target as Record<string, unknown> | undefined)?.[key]).length)
      return { reason: 'It targets areas, devices, floors or labels, not entities.' };
  const parsed = dataOf(n);
  if ('reason' in parsed) return parsed;
  if (text(n.mergeContext ?? n.mergecontext))
    return { reason: 'It merges its data from flow or global context.' };
  const props = Array.isArray(n.outputProperties) ? n.outputProperties : [];
  const wiredOut = ((n.wires as unknown[][] | undefined) ?? []).some((w) => Array.isArray(w) && w.length);
  if (wiredOut && (props.length || !['', 'none'].includes(text(n.output_location_type))))
    return { reason: 'It writes the service call into the message it sends on.' };
  // Older flows name the entities in the data, as Home Assistant's own service calls do.
  const { entity_id: inData, ...data } = parsed.data;
  if (inData !== undefined && list(inData).length === 0)
    return { reason: `Its service data “entity_id” (${JSON.stringify(inData)}) is not a list of entities.` };
  if (list(inData).includes('all')) return { reason: 'It calls the service on every entity (“all”).' };
  const found = entitiesOf(n, list(inData));
  if ('reason' in found)
    return domainName in SERVICES || domainName === 'homeassistant'
      ? found
      : {
          reason: `Its service ${domainName}.${service} names no entity, and no Fieldgraph capability does what it does.`,
        };
  const chains: { value?: string; service: string; pieces: Piece[] }[] = [];
  const roles: RoleNeed[] = [];
  const notes = new Set<string>();
  for (const [value, name] of fromPayload ?? [[undefined, service] as const]) {
    const writes = writesFor(domainName, name, found.entities, data, value === undefined ? 'w' : `${value}-`);
    if ('reason' in writes)
      return {
        reason:
          value === undefined
            ? writes.reason
            : `Its service is filled in from the payload; for “${value}” (${domainName}.${name}): ${writes.reason}`,
      };
    chains.push({ value, service: name, pieces: writes.pieces });
    roles.push(...writes.roles);
    for (const m of writes.notes) notes.add(m);
  }
  const pieces = chains.flatMap((c) => c.pieces);
  // A Device action's payload is the action's result; Home Assistant sent the message on as it came.
  if (wiredOut && pieces.some((p) => p.kind === 'action.device-action'))
    return { reason: 'Messages after it would carry the action’s result instead of the message it got.' };
  const who = [
    ...new Map(roles.map((r) => [r.id, `${r.title} (role “${r.id}”, ${r.capability})`])).values(),
  ].join(', ');
  note(
    'changed',
    `It calls ${domainName}.${service} on ${who}; a payload naming a domain, service or data no longer overrides it.`,
  );
  for (const m of notes) note('changed', m);
  if (!fromPayload)
    return {
      graph: {
        pieces,
        links: chainLinks(pieces),
        outputs: [[[pieces[pieces.length - 1]!.key, 'out']]],
        roles,
      },
    };
  note(
    'changed',
    `Its service is chosen by the payload (${chains.map((c) => `“${c.value}”: ${domainName}.${c.service}`).join(', ')}); any other payload stops here, where Home Assistant reported an unknown service.`,
  );
  const sw: Piece = {
    key: 'service',
    kind: 'logic.switch',
    config: {
      firstMatch: true,
      rules: chains.map((c, i) => ({
        port: `s${i}`,
        when: `type(payload) == string && payload == ${celString(c.value!)}`,
      })),
    },
  };
  return {
    graph: {
      pieces: [
        sw,
        ...chains.flatMap((c, i) => c.pieces.map((p) => ({ ...p, dx: 220 * (i + 1), dy: p.dy ?? 0 }))),
      ],
      links: chains.flatMap((c, i) => [
        { from: ['service', `s${i}`] as const, to: [c.pieces[0]!.key, 'in'] as const },
        ...chainLinks(c.pieces),
      ]),
      outputs: [chains.map((c) => [c.pieces[c.pieces.length - 1]!.key, 'out'] as const)],
      roles: mergeRoles(roles),
    },
  };
};

const piece = (key: string, role: string, w: Write, i: number): Piece => ({
  key,
  ...('action' in w
    ? { kind: 'action.device-action', config: { role, action: w.action } }
    : { kind: 'action.set-property', config: { role, property: w.property, value: w.value } }),
  ...(i ? { dx: 0, dy: 60 * i } : {}),
});
