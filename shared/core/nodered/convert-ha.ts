/**
 * Home Assistant nodes (node-red-contrib-home-assistant-websocket) as device roles: a node that
 * follows or drives entities whose domain maps to a Fieldgraph capability (convert-ha-entities.ts)
 * becomes roles named after the entities and the catalog nodes that do the same — Property change
 * for a state trigger, Set property or Device action for a service call (convert-ha-call.ts), the
 * role's last value for a current-state lookup — with Home Assistant's state text ("on", "open")
 * rebuilt in CEL. Patterns of entities, templates, JSONata, waiting `for` a time and anything
 * else a role cannot hold keep the node a placeholder, with the reason.
 */
import { callService } from './convert-ha-call';
import { bindingNote, entityOf, roleOf, type Domain } from './convert-ha-entities';
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

/** Notes what a role leaves out of Home Assistant's states and how it gets bound. */
const noteRole = (note: Note, role: RoleNeed, domain: Domain) => {
  if (domain.state?.misses) note('changed', `Its state is rebuilt as text: ${domain.state.misses}.`);
  const binding = bindingNote(role.capability);
  if (binding) note('changed', binding);
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
  const stateType = text(n.stateType ?? n.state_type) || 'str';
  if (stateType !== 'str' && !(stateType === 'habool' && domain.state.property === 'on'))
    return {
      reason: `It sends the state as a ${stateType} value, which the role's ${domain.state.property} is not.`,
    };
  const initially = n.outputInitially === true || n.outputinitially === true;
  if (n.type === 'poll-state') return pollState(n, note, mapped, initially);
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
  // A Property change also starts when the gateway first hears the state after starting.
  note(
    'changed',
    initially
      ? 'It sends the state when the gateway first hears it after starting (at once for a state the device keeps on the broker), where Node-RED sent Home Assistant’s state on connecting.'
      : 'It also sends the state when the gateway first hears it after starting, which Node-RED did not.',
  );
  noteRole(note, role, domain);
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

const UNIT_SECONDS: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600 };

/**
 * poll-state: every interval, the role's last value as Home Assistant's state text; with
 * “output on changed”, a Property change of it too. Both pass the node's state condition.
 */
const pollState = (
  n: RedNode,
  note: Note,
  { role, domain }: { role: RoleNeed; domain: Domain },
  initially: boolean,
): Conversion => {
  const state = domain.state!;
  if (initially)
    return {
      reason:
        'It also sends the state when the flows start, which the gateway does not know until the device reports.',
    };
  const every = Number(text(n.updateInterval ?? n.updateinterval));
  const unit = UNIT_SECONDS[text(n.updateIntervalUnits) || 'seconds'];
  if ((text(n.updateIntervalType) || 'num') !== 'num' || !unit || !Number.isFinite(every) || every * unit < 1)
    return {
      reason: `Its interval (${text(n.updateInterval ?? n.updateinterval)} ${text(n.updateIntervalUnits)}) is not a number of seconds ≥ 1.`,
    };
  if (!outputsDefault(n)) return { reason: 'It sends something other than the state as its payload.' };
  const cel = conditionOf(
    n.ifState ?? n.halt_if,
    n.ifStateType ?? n.halt_if_type,
    n.ifStateOperator ?? n.halt_if_compare,
  );
  if ('reason' in cel) return cel;
  const onChange = n.outputOnChanged === true || n.outputonchanged === true;
  if (cel.cel && (text(n.stateType ?? n.state_type) || 'str') === 'habool')
    return { reason: 'It tests the state’s text but sends it as true or false.' };
  const textOf = (v: string) =>
    (text(n.stateType ?? n.state_type) || 'str') === 'habool' ? v : state.text(v);
  const pieces: Piece[] = [
    { key: 'every', kind: 'trigger.interval', config: { seconds: every * unit } },
    {
      key: 'poll',
      kind: 'logic.transform',
      config: { payload: textOf(`roles.${role.id}.${state.property}`) },
      dx: 220,
      dy: 0,
    },
  ];
  const links: { from: readonly [string, string]; to: readonly [string, string] }[] = [
    { from: ['every', 'out'], to: ['poll', 'in'] },
  ];
  const ends: [string, string][] = [['poll', 'out']];
  if (onChange) {
    pieces.push(
      {
        key: 'changed',
        kind: 'trigger.property-change',
        config: { role: role.id, property: state.property },
        dx: 0,
        dy: 80,
      },
      { key: 'state', kind: 'logic.transform', config: { payload: textOf('payload') }, dx: 220, dy: 80 },
    );
    links.push({ from: ['changed', 'out'], to: ['state', 'in'] });
    ends.push(['state', 'out']);
  }
  note(
    'changed',
    `It reads the last state the gateway saw of ${role.title} (role “${role.id}”, ${role.capability}) every ${every * unit} s${onChange ? ' and on each change' : ''}; until the device first reports, the role has no state and the run stops with an error. msg.data and the topic are not set.`,
  );
  noteRole(note, role, domain);
  if (!cel.cel)
    return {
      graph: { pieces, links, outputs: Number(n.outputs) === 2 ? [ends, []] : [ends], roles: [role] },
    };
  pieces.push({ key: 'if', kind: 'logic.if', config: { condition: cel.cel }, dx: 440, dy: 0 });
  for (const end of ends) links.push({ from: end, to: ['if', 'in'] });
  return { graph: { pieces, links, outputs: [[['if', 'true']], [['if', 'false']]], roles: [role] } };
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
  noteRole(note, role, domain);
  const value = `roles.${role.id}.${domain.state.property}`;
  const stateType = text(n.state_type ?? n.stateType) || 'str';
  if (stateType !== 'str' && !(stateType === 'habool' && domain.state.property === 'on'))
    return {
      reason: `It sends the state as a ${stateType} value, which the role's ${domain.state.property} is not.`,
    };
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
