/**
 * Home Assistant nodes (node-red-contrib-home-assistant-websocket) as device roles: a node that
 * follows or drives one entity whose domain maps to a Fieldgraph capability (switch, light,
 * input_boolean, fan → switch@1; cover → cover@1; lock and valve actions) becomes a role named
 * after the entity and the catalog node that does the same — Property change for a state
 * trigger, Set property or Device action for a service call, the role's last value for a
 * current-state lookup — with Home Assistant's state text ("on", "open") rebuilt in CEL.
 * Patterns of entities, templates, JSONata, waiting `for` a time, service data and anything
 * else a role cannot hold keep the node a placeholder, with the reason.
 */
import { celString } from './values';
import {
  text,
  type Conversion,
  type Note,
  type Piece,
  type RedNode,
  type RoleNeed,
  type Subgraph,
} from './types';

/** What Fieldgraph offers for an entity domain: the capability, its state, its services. */
interface Domain {
  readonly capability: string;
  /** The property holding the state and the CEL giving Home Assistant's state text from `v`. */
  readonly state?: { readonly property: string; readonly text: (v: string) => string };
  /** Services as Set property (a value) or Device action. */
  readonly services: Readonly<
    Record<string, { property: string; value: (role: string) => string } | { action: string }>
  >;
}

const onOff: Domain = {
  capability: 'switch@1',
  state: { property: 'on', text: (v) => `${v} ? "on" : "off"` },
  services: {
    turn_on: { property: 'on', value: () => 'true' },
    turn_off: { property: 'on', value: () => 'false' },
    toggle: { property: 'on', value: (role) => `!roles.${role}.on` },
  },
};

const DOMAINS: Readonly<Record<string, Domain>> = {
  switch: onOff,
  light: onOff,
  input_boolean: onOff,
  fan: onOff,
  cover: {
    capability: 'cover@1',
    state: { property: 'state', text: (v) => v },
    services: {
      open_cover: { action: 'open' },
      close_cover: { action: 'close' },
      stop_cover: { action: 'stop' },
    },
  },
  lock: { capability: 'lock@1', services: { lock: { action: 'lock' }, unlock: { action: 'unlock' } } },
  valve: {
    capability: 'valve@1',
    services: { open_valve: { action: 'open' }, close_valve: { action: 'close' } },
  },
};

const ENTITY = /^([a-z0-9_]+)\.([a-z0-9_]+)$/;

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
    : typeof v === 'string' && v.trim() !== ''
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];

/** The one entity a node names, across the node versions' field names, or why there is not one. */
const entityOf = (n: RedNode): { entity: string } | { reason: string } => {
  let ids: string[];
  const entities = n.entities as Record<string, unknown> | undefined;
  if (entities && typeof entities === 'object' && !Array.isArray(entities)) {
    if (list(entities.substring).length || list(entities.regex).length)
      return { reason: 'It follows every entity matching a pattern; a role is one device.' };
    ids = list(entities.entity);
  } else {
    const type = text(n.entityIdType ?? n.entityidfiltertype) || 'exact';
    if (type !== 'exact' && type !== 'list')
      return { reason: `It follows every entity matching a ${type}; a role is one device.` };
    ids = list(n.entityId ?? n.entityid ?? n.entity_id ?? n.entityidfilter);
    const target = n.target as { entityId?: unknown } | undefined;
    if (ids.length === 0 && target && typeof target === 'object') ids = list(target.entityId);
  }
  if (ids.length === 0) return { reason: 'It takes its entity from the message or names none.' };
  if (ids.length > 1) return { reason: `It follows ${ids.length} entities; a role is one device.` };
  const entity = ids[0]!;
  if (/\{\{|<%|\$/.test(entity)) return { reason: `Its entity “${entity}” is filled in from the message.` };
  return { entity };
};

/** The role for an entity, when its domain maps to a capability. */
const roleOf = (entity: string): { role: RoleNeed; domain: Domain } | { reason: string } => {
  const m = ENTITY.exec(entity);
  const domain = m ? DOMAINS[m[1]!] : undefined;
  if (!m || !domain)
    return {
      reason: `Its entity “${entity}” is of a kind no Fieldgraph capability describes (switches, lights, fans, covers, locks and valves are).`,
    };
  const id = `${m[1]}_${m[2]}`.slice(0, 120);
  return { role: { id, title: entity, capability: domain.capability }, domain };
};

/** A state condition: `is`/`is_not` a text, as CEL over the state text, or why not. */
const conditionOf = (
  value: unknown,
  type: unknown,
  operator: unknown,
): { cel?: string } | { reason: string } => {
  const v = text(value);
  if (v === '') return {};
  const t = text(type) || 'str';
  const op = text(operator) || 'is';
  if (t !== 'str' || (op !== 'is' && op !== 'is_not'))
    return { reason: `Its state condition (${op} a ${t} value) has no CEL rewrite here.` };
  return { cel: `payload ${op === 'is' ? '==' : '!='} ${celString(v)}` };
};

const isZero = (v: unknown) => v === undefined || v === null || text(v).trim() === '' || Number(v) === 0;

/** Output properties that leave the message as Node-RED's defaults do: the state as payload. */
const outputsDefault = (n: RedNode): boolean => {
  const props = Array.isArray(n.outputProperties) ? (n.outputProperties as Record<string, unknown>[]) : [];
  const payload = props.find((p) => p.property === 'payload' && (p.propertyType ?? 'msg') === 'msg');
  return !payload || payload.valueType === 'entityState';
};

/** The state text (or its on/off boolean) feeding a condition that splits into two outputs. */
const stateGraph = (
  first: Piece,
  role: RoleNeed,
  domain: Domain,
  n: RedNode,
  condition: string | undefined,
): Subgraph => {
  const stateType = text(n.stateType ?? n.state_type) || 'str';
  const pieces: Piece[] = [first];
  let last = first.key;
  if (stateType !== 'habool' || domain.state!.property !== 'on') {
    pieces.push({
      key: 'state',
      kind: 'logic.transform',
      config: { payload: domain.state!.text('payload') },
      dx: 220,
      dy: 0,
    });
    last = 'state';
  }
  const links: { from: readonly [string, string]; to: readonly [string, string] }[] = [];
  if (last !== first.key) links.push({ from: [first.key, 'out'], to: [last, 'in'] });
  const two = Number(n.outputs) === 2;
  if (!condition)
    return { pieces, links, outputs: two ? [[[last, 'out']], []] : [[[last, 'out']]], roles: [role] };
  pieces.push({ key: 'if', kind: 'logic.if', config: { condition }, dx: 440, dy: 0 });
  links.push({ from: [last, 'out'], to: ['if', 'in'] });
  return { pieces, links, outputs: [[['if', 'true']], [['if', 'false']]], roles: [role] };
};

/** server-state-changed, trigger-state and poll-state: a Property change of the entity's role. */
const stateTrigger = (n: RedNode, note: Note): Conversion => {
  const found = entityOf(n);
  if ('reason' in found) return found;
  const mapped = roleOf(found.entity);
  if ('reason' in mapped) return mapped;
  const { role, domain } = mapped;
  if (!domain.state)
    return { reason: `A ${role.capability} role has no state Home Assistant reports as text.` };
  if (n.type === 'poll-state')
    return {
      reason:
        'It polls the state on a timer, sending it unchanged too; a Property change starts on changes only.',
    };
  if (n.outputInitially === true || n.outputinitially === true)
    return { reason: 'It also sends the state when the flows start, before any change.' };
  if (!isZero(n.for))
    return { reason: `It waits for the state to hold for ${text(n.for)} ${text(n.forUnits) || 'minutes'}.` };
  if (Number(n.inputs) > 0 || n.enableInput === true)
    return { reason: 'Messages into it turn it on and off, which a trigger cannot be.' };
  if (!outputsDefault(n)) return { reason: 'It sends something other than the state as its payload.' };
  let condition: string | undefined;
  if (n.type === 'trigger-state') {
    const constraints = Array.isArray(n.constraints) ? (n.constraints as Record<string, unknown>[]) : [];
    const custom = n.customOutputs ?? n.customoutputs;
    if (Array.isArray(custom) && custom.length) return { reason: 'It has custom outputs.' };
    const parts: string[] = [];
    for (const c of constraints) {
      if (c.targetType !== 'this_entity' || c.propertyType !== 'current_state')
        return {
          reason: 'A condition looks at another entity or the previous state, which a role does not keep.',
        };
      const cel = conditionOf(c.comparatorValue, c.comparatorValueDatatype, c.comparatorType);
      if ('reason' in cel) return cel;
      if (cel.cel) parts.push(cel.cel);
    }
    const all = text(n.constraintsmustmatch ?? n.constraintsMustMatch) !== 'any';
    condition = parts.length ? parts.join(all ? ' && ' : ' || ') : undefined;
  } else {
    const cel = conditionOf(
      n.ifState ?? n.haltifstate,
      n.ifStateType ?? n.halt_if_type,
      n.ifStateOperator ?? n.halt_if_compare,
    );
    if ('reason' in cel) return cel;
    condition = cel.cel;
  }
  note(
    'changed',
    `It follows ${role.title} as role “${role.id}” (${role.capability}); msg.data and the topic are not set.`,
  );
  return {
    graph: stateGraph(
      {
        key: 'main',
        kind: 'trigger.property-change',
        config: { role: role.id, property: domain.state.property },
      },
      role,
      domain,
      n,
      condition,
    ),
  };
};

/** api-current-state: the role's last value as the payload, split on a state condition. */
const currentState = (n: RedNode, note: Note): Conversion => {
  const found = entityOf(n);
  if ('reason' in found) return found;
  const mapped = roleOf(found.entity);
  if ('reason' in mapped) return mapped;
  const { role, domain } = mapped;
  if (!domain.state)
    return { reason: `A ${role.capability} role has no state Home Assistant reports as text.` };
  if (!isZero(n.for))
    return { reason: `It checks the state has held for ${text(n.for)} ${text(n.forUnits) || 'minutes'}.` };
  if (
    !outputsDefault(n) ||
    (text(n.override_payload) || 'msg') !== 'msg' ||
    (text(n.state_location) || 'payload') !== 'payload'
  )
    return { reason: 'It puts the state somewhere other than the payload.' };
  const cel = conditionOf(
    n.halt_if ?? n.ifState,
    n.halt_if_type ?? n.ifStateType,
    n.halt_if_compare ?? n.ifStateOperator,
  );
  if ('reason' in cel) return cel;
  note(
    'changed',
    `It reads the last state the gateway saw of ${role.title} (role “${role.id}”, ${role.capability}); msg.data is not set.`,
  );
  const value = `roles.${role.id}.${domain.state.property}`;
  const stateType = text(n.state_type ?? n.stateType) || 'str';
  const payload = stateType === 'habool' && domain.state.property === 'on' ? value : domain.state.text(value);
  const main: Piece = { key: 'main', kind: 'logic.transform', config: { payload } };
  if (!cel.cel)
    return {
      graph: {
        pieces: [main],
        links: [],
        outputs: Number(n.outputs) === 2 ? [[['main', 'out']], []] : [[['main', 'out']]],
        roles: [role],
      },
    };
  return {
    graph: {
      pieces: [main, { key: 'if', kind: 'logic.if', config: { condition: cel.cel }, dx: 220, dy: 0 }],
      links: [{ from: ['main', 'out'], to: ['if', 'in'] }],
      outputs: [[['if', 'true']], [['if', 'false']]],
      roles: [role],
    },
  };
};

/** api-call-service / call-service: a service of a mapped domain on one entity, without data. */
const callService = (n: RedNode, note: Note): Conversion => {
  const action = text(n.action);
  const [domainName, service] = action.includes('.')
    ? action.split('.', 2)
    : [text(n.domain ?? n.service_domain), text(n.service)];
  if (!domainName || !service) return { reason: 'It takes the service to call from the message.' };
  if (/\{\{|<%/.test(domainName + service)) return { reason: 'Its service is filled in from the message.' };
  for (const key of ['areaId', 'deviceId', 'floorId', 'labelId'])
    if (list(n[key]).length || list((n.target as Record<string, unknown> | undefined)?.[key]).length)
      return { reason: 'It targets areas, devices, floors or labels, not one entity.' };
  const data = text(n.data).trim();
  if (data !== '' && data !== '{}')
    return {
      reason: `It sends service data (${data.slice(0, 60)}), which a role’s property or action does not take.`,
    };
  if (text(n.mergeContext ?? n.mergecontext))
    return { reason: 'It merges its data from flow or global context.' };
  const props = Array.isArray(n.outputProperties) ? n.outputProperties : [];
  const wiredOut = ((n.wires as unknown[][] | undefined) ?? []).some((w) => Array.isArray(w) && w.length);
  if (wiredOut && (props.length || !['', 'none'].includes(text(n.output_location_type))))
    return { reason: 'It writes the service call into the message it sends on.' };
  const found = entityOf(n);
  if ('reason' in found) return found;
  const mapped = roleOf(found.entity);
  if ('reason' in mapped) return mapped;
  const { role, domain } = mapped;
  const entityDomain = found.entity.split('.')[0]!;
  const name = domainName === 'homeassistant' ? service : domainName === entityDomain ? service : '';
  const op = domain.services[name];
  if (!op)
    return {
      reason: `Its service ${domainName}.${service} has no ${role.capability} property or action here.`,
    };
  note(
    'changed',
    `It calls ${domainName}.${service} on ${role.title} as role “${role.id}” (${role.capability}); a payload naming a domain, service or data no longer overrides it.`,
  );
  if ('property' in op) {
    if (service === 'toggle') note('changed', 'Toggle sets the opposite of the last state the gateway saw.');
    return {
      graph: {
        pieces: [
          {
            key: 'main',
            kind: 'action.set-property',
            config: { role: role.id, property: op.property, value: op.value(role.id) },
          },
        ],
        links: [],
        outputs: [[['main', 'out']]],
        roles: [role],
      },
    };
  }
  // A Device action's payload is the action's result; Home Assistant sent the message on as it came.
  if (wiredOut)
    return { reason: 'Messages after it would carry the action’s result instead of the message it got.' };
  return {
    graph: {
      pieces: [{ key: 'main', kind: 'action.device-action', config: { role: role.id, action: op.action } }],
      links: [],
      outputs: [[['main', 'out']]],
      roles: [role],
    },
  };
};

/** The Home Assistant node types converted here. */
export const HOME_ASSISTANT_TYPES = new Set([
  'server-state-changed',
  'trigger-state',
  'poll-state',
  'api-current-state',
  'api-call-service',
  'call-service',
]);

/** Converts one Home Assistant node, or says why it stays a placeholder. */
export const convertHomeAssistant = (n: RedNode, note: Note): Conversion =>
  n.type === 'api-current-state'
    ? currentState(n, note)
    : n.type === 'api-call-service' || n.type === 'call-service'
      ? callService(n, note)
      : stateTrigger(n, note);
