/**
 * api-call-service / call-service as writes to roles: one service on one or more entities whose
 * domain a capability describes becomes, per entity, the Set property and Device action nodes
 * that do what the service does with its data (convert-ha-services.ts), chained in the order
 * the entities are named. A service or entity filled in from the message, data that is a
 * template or JSONata, and targets other than entities keep the node a placeholder, naming why.
 */
import { bindingNote, entitiesOf, filledIn, list, roleOf } from './convert-ha-entities';
import { SERVICES, servicePlan, type ServiceData, type Write } from './convert-ha-services';
import { text, type Conversion, type Note, type Piece, type RedNode, type RoleNeed } from './types';

/** Domains whose services deliver a message to people through Home Assistant's integrations. */
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

/** api-call-service / call-service: a service of a mapped domain on its entities, with literal data. */
export const callService = (n: RedNode, note: Note): Conversion => {
  const action = text(n.action);
  const [domainName, service] = action.includes('.')
    ? action.split('.', 2)
    : [text(n.domain ?? n.service_domain), text(n.service)];
  if (!domainName || !service) return { reason: 'It takes the service to call from the message.' };
  if (filledIn(domainName + service)) return { reason: 'Its service is filled in from the message.' };
  if (SPOKEN.has(domainName))
    return {
      reason: `It sends a notification or speech through Home Assistant's ${domainName}.${service} (a phone app, a speaker's voice, e-mail…), which only Home Assistant delivers: rebuild it with an HTTP request or MQTT publish to the service that delivers it.`,
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
  const pieces: Piece[] = [];
  const roles: RoleNeed[] = [];
  const notes = new Set<string>();
  for (const entity of found.entities) {
    const mapped = roleOf(entity);
    if ('reason' in mapped) return mapped;
    const plan = servicePlan(domainName, service, mapped.domainName, data, mapped.role.id);
    if ('reason' in plan)
      return found.entities.length > 1 ? { reason: `For ${entity}: ${plan.reason}` } : plan;
    roles.push({ ...mapped.role, capability: plan.capability });
    for (const m of [...plan.notes, bindingNote(plan.capability)]) if (m) notes.add(m);
    for (const w of plan.writes) pieces.push(piece(`w${pieces.length}`, mapped.role.id, w, pieces.length));
  }
  // A Device action's payload is the action's result; Home Assistant sent the message on as it came.
  if (wiredOut && pieces.some((p) => p.kind === 'action.device-action'))
    return { reason: 'Messages after it would carry the action’s result instead of the message it got.' };
  const who = roles.map((r) => `${r.title} (role “${r.id}”, ${r.capability})`).join(', ');
  note(
    'changed',
    `It calls ${domainName}.${service} on ${who}; a payload naming a domain, service or data no longer overrides it.`,
  );
  for (const m of notes) note('changed', m);
  return {
    graph: {
      pieces,
      links: pieces
        .slice(1)
        .map((p, i) => ({ from: [pieces[i]!.key, 'out'] as const, to: [p.key, 'in'] as const })),
      outputs: [[[pieces[pieces.length - 1]!.key, 'out']]],
      roles,
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
