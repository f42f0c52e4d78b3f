/**
 * server-state-changed, trigger-state and poll-state as Property change triggers of the roles
 * their entities stand for: per entity, a trigger and a Transform giving Home Assistant's state
 * text (and the entity id as topic), all into the node's state condition — trigger-state's
 * conditions may test other entities' last states. poll-state reads the role's last value on an
 * interval instead.
 */
import { entitiesOf, type Domain } from './convert-ha-entities';
import {
  conditionOf,
  isZero,
  lastStateOf,
  noteRole,
  placesOf,
  sentAs,
  testsText,
  transformOf,
} from './convert-ha-state';
import { sunTrigger } from './convert-ha-sun';
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

type Link = { from: readonly [string, string]; to: readonly [string, string] };
type Followed = { entity: string; role: RoleNeed; domain: Domain };

/**
 * The Transform after a trigger of `f`: the state text of `value` (or the state as the type
 * `sent` gives) and the entity id where the node's output properties put them.
 */
const stateConfig = (
  n: RedNode,
  f: Followed,
  sent: ((v: string) => string) | undefined,
  value: string,
  note: Note,
): { config: Record<string, unknown> } | { reason: string } => {
  const state = sent ? sent(value) : f.domain.state!.text(value);
  const places = placesOf(n, f.entity, state, note, (put) => {
    // Before output properties: the state as payload, the entity id as topic, the event as data.
    put('payload', state);
    put('topic', celString(f.entity));
    note('unsupported', 'msg.data (the event) is not set.');
    return undefined;
  });
  if ('reason' in places) return places;
  if (places.payload === undefined)
    note('changed', 'msg.payload keeps the role’s value, where Node-RED sent no payload.');
  return { config: transformOf(places) };
};

/** Entry pieces and their ends, all into the node's condition (two outputs) or out as they are. */
const finish = (
  pieces: Piece[],
  links: Link[],
  ends: [string, string][],
  n: RedNode,
  condition: string | undefined,
  roles: RoleNeed[],
): Subgraph => {
  if (!condition) return { pieces, links, outputs: Number(n.outputs) === 2 ? [ends, []] : [ends], roles };
  pieces.push({ key: 'if', kind: 'logic.if', config: { condition }, dx: 440, dy: 0 });
  for (const end of ends) links.push({ from: end, to: ['if', 'in'] });
  return { pieces, links, outputs: [[['if', 'true']], [['if', 'false']]], roles };
};

/** trigger-state's conditions as one CEL condition, adding roles of other entities they test. */
const constraintsOf = (
  n: RedNode,
  roles: RoleNeed[],
  note: Note,
  numericAll: boolean,
  sentOther: boolean,
): { cel?: string } | { reason: string } => {
  const custom = n.customOutputs ?? n.customoutputs;
  if (Array.isArray(custom) && custom.length) return { reason: 'It has custom outputs.' };
  const constraints = Array.isArray(n.constraints) ? (n.constraints as Record<string, unknown>[]) : [];
  const parts: string[] = [];
  for (const c of constraints) {
    if (c.propertyType !== 'current_state')
      return {
        reason: `A condition tests the ${text(c.propertyType).replace('_', ' ') || 'a property'}, which a role does not keep.`,
      };
    let subject = 'payload';
    if (c.targetType === 'this_entity' && sentOther && testsText(c.comparatorValueDatatype))
      return { reason: 'A condition tests the state’s text but the node sends it as another type.' };
    if (c.targetType !== 'this_entity') {
      const other = lastStateOf(text(c.targetValue));
      if ('reason' in other) return { reason: `A condition tests another entity. ${other.reason}` };
      subject = other.cel;
      roles.push(other.role);
      noteRole(note, other.role, other.domain);
      note(
        'changed',
        `A condition reads the last state the gateway saw of ${other.role.title} (role “${other.role.id}”).`,
      );
    }
    const numeric = c.targetType === 'this_entity' ? numericAll : !!lastStateOf(text(c.targetValue));
    const cel = conditionOf(c.comparatorValue, c.comparatorValueDatatype, c.comparatorType, subject, {
      numeric,
      note,
    });
    if ('reason' in cel) return cel;
    if (cel.cel) parts.push(cel.cel);
  }
  const all = text(n.constraintsmustmatch ?? n.constraintsMustMatch) !== 'any';
  return parts.length ? { cel: parts.map((p) => `(${p})`).join(all ? ' && ' : ' || ') } : {};
};

/** The roles of the entities a state node follows, each with a state, or why not. */
const followed = (n: RedNode): Followed[] | { reason: string } => {
  const found = entitiesOf(n);
  if ('reason' in found) return found;
  const out: Followed[] = [];
  for (const entity of found.entities) {
    const state = lastStateOf(entity);
    if ('reason' in state)
      return found.entities.length > 1 ? { reason: `For ${entity}: ${state.reason}` } : state;
    out.push({ entity, role: state.role, domain: state.domain });
  }
  return out;
};

/** server-state-changed, trigger-state and poll-state: Property changes of the entities' roles. */
export const stateTrigger = (n: RedNode, note: Note): Conversion => {
  const named = entitiesOf(n);
  if (n.type === 'server-state-changed' && 'entities' in named && named.entities.join() === 'sun.sun')
    return sunTrigger(n, note);
  const all = followed(n);
  if ('reason' in all) return all;
  const stateType = text(n.stateType ?? n.state_type) || 'str';
  // Per entity, the state sent as text (undefined) or as the node's other state type.
  const sentFor: (((v: string) => string) | undefined)[] = [];
  for (const f of all) {
    const as = sentAs(stateType, f.domain);
    if ('reason' in as) return as;
    sentFor.push(as.sent);
  }
  const sent = sentFor[0];
  const numericAll = all.every((f) => !!f.domain.state!.as?.num);
  const initially = n.outputInitially === true || n.outputinitially === true;
  if (n.type === 'poll-state') {
    if (all.length > 1) return { reason: `It polls ${all.length} entities; a poll reads one.` };
    return pollState(n, note, all[0]!, initially, sent);
  }
  const hold = holdOf(n);
  if (hold && 'reason' in hold) return hold;
  if (Number(n.inputs) > 0 || n.enableInput === true)
    return { reason: 'Messages into it turn it on and off, which a trigger cannot be.' };
  const roles = all.map((f) => f.role);
  const conditionType = n.ifStateType ?? n.halt_if_type;
  const cel =
    n.type === 'trigger-state'
      ? constraintsOf(n, roles, note, numericAll, !!sent)
      : conditionOf(
          n.ifState ?? n.haltifstate,
          conditionType,
          n.ifStateOperator ?? n.halt_if_compare,
          'payload',
          { numeric: numericAll, note },
        );
  if ('reason' in cel) return cel;
  if (cel.cel && sent && n.type !== 'trigger-state' && testsText(conditionType))
    return { reason: 'It tests the state’s text but sends it as another type.' };
  if (hold) {
    if (sent) return { reason: 'It waits for a state sent as another type than text to hold.' };
    // Node-RED sends a state failing its condition on at once; a Debounce delays every state.
    const second = (n.wires ?? [])[1];
    if (cel.cel && (text(n.ifStateOperator ?? n.halt_if_compare) || 'is') !== 'is')
      return { reason: 'It waits for the state to hold while it passes a condition other than “is”.' };
    if (cel.cel && second && second.length)
      return {
        reason: 'It sends states failing its condition at once, while others wait for the state to hold.',
      };
  }
  const pieces: Piece[] = [];
  const links: Link[] = [];
  const ends: [string, string][] = [];
  for (const [i, f] of all.entries()) {
    const dy = i * 80;
    // Notes about output properties are the same for every entity: made once.
    const made = stateConfig(n, f, sentFor[i], 'payload', i ? () => undefined : note);
    if ('reason' in made) return made;
    pieces.push(
      {
        key: `t${i}`,
        kind: 'trigger.property-change',
        config: { role: f.role.id, property: f.domain.state!.property },
        ...(i ? { dx: 0, dy } : {}),
      },
      {
        key: `s${i}`,
        kind: 'logic.transform',
        config: made.config,
        dx: 220,
        dy,
      },
    );
    links.push({ from: [`t${i}`, 'out'], to: [`s${i}`, 'in'] });
    if (hold) {
      // Each entity has its own timer, restarted by each change of its state, as in Node-RED.
      pieces.push({ key: `h${i}`, kind: 'logic.debounce', config: { seconds: hold.seconds }, dx: 440, dy });
      links.push({ from: [`s${i}`, 'out'], to: [`h${i}`, 'in'] });
      ends.push([`h${i}`, 'out']);
    } else ends.push([`s${i}`, 'out']);
    note('changed', `It follows ${f.role.title} as role “${f.role.id}” (${f.role.capability}).`);
    noteRole(note, f.role, f.domain);
  }
  // A Property change also starts when the gateway first hears the state after starting.
  note(
    'changed',
    hold
      ? `It sends a state once it has held for ${hold.seconds} s, the first state the gateway hears after starting too, which Node-RED did not time.`
      : initially
        ? 'It sends the state when the gateway first hears it after starting (at once for a state the device keeps on the broker), where Node-RED sent Home Assistant’s state on connecting.'
        : 'It also sends the state when the gateway first hears it after starting, which Node-RED did not.',
  );
  if (n.outputOnlyOnStateChange === false || n.output_only_on_state_change === false)
    note(
      'changed',
      'It also sent when only attributes changed; a role’s trigger starts on changes of its state.',
    );
  return { graph: finish(pieces, links, ends, n, cel.cel, roles) };
};

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  milliseconds: 0.001,
  seconds: 1,
  minutes: 60,
  hours: 3600,
};

/** How long the state must hold before it is sent (`for`), none, or why it cannot be read. */
const holdOf = (n: RedNode): { seconds: number } | { reason: string } | undefined => {
  if (isZero(n.for)) return undefined;
  const amount = Number(text(n.for));
  const unit = UNIT_SECONDS[text(n.forUnits) || 'minutes'];
  if ((text(n.forType) || 'num') !== 'num' || !unit || !Number.isFinite(amount) || amount < 0)
    return {
      reason: `It waits for the state to hold for ${text(n.for)} ${text(n.forUnits) || 'minutes'}, which is not a number of seconds.`,
    };
  if (n.type !== 'server-state-changed')
    return { reason: 'It waits for the state to hold, which this node type does not.' };
  return { seconds: amount * unit };
};

/**
 * poll-state: every interval, the role's last value as Home Assistant's state text; with
 * “output on changed”, a Property change of it too. Both pass the node's state condition.
 */
const pollState = (
  n: RedNode,
  note: Note,
  f: Followed,
  initially: boolean,
  sent: ((v: string) => string) | undefined,
): Conversion => {
  const { role, domain } = f;
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
  const conditionType = n.ifStateType ?? n.halt_if_type;
  const cel = conditionOf(
    n.ifState ?? n.halt_if,
    conditionType,
    n.ifStateOperator ?? n.halt_if_compare,
    'payload',
    { numeric: !!state.as?.num, note },
  );
  if ('reason' in cel) return cel;
  if (cel.cel && sent && testsText(conditionType))
    return { reason: 'It tests the state’s text but sends it as another type.' };
  const onChange = n.outputOnChanged === true || n.outputonchanged === true;
  const polled = stateConfig(n, f, sent, `roles.${role.id}.${state.property}`, note);
  if ('reason' in polled) return polled;
  const changed = stateConfig(n, f, sent, 'payload', () => undefined);
  if ('reason' in changed) return changed;
  const pieces: Piece[] = [
    { key: 'every', kind: 'trigger.interval', config: { seconds: every * unit } },
    {
      key: 'poll',
      kind: 'logic.transform',
      config: polled.config,
      dx: 220,
      dy: 0,
    },
  ];
  const links: Link[] = [{ from: ['every', 'out'], to: ['poll', 'in'] }];
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
      {
        key: 'state',
        kind: 'logic.transform',
        config: changed.config,
        dx: 220,
        dy: 80,
      },
    );
    links.push({ from: ['changed', 'out'], to: ['state', 'in'] });
    ends.push(['state', 'out']);
  }
  note(
    'changed',
    `It reads the last state the gateway saw of ${role.title} (role “${role.id}”, ${role.capability}) every ${every * unit} s${onChange ? ' and on each change' : ''}; until the device first reports, the role has no state and the run stops with an error.`,
  );
  noteRole(note, role, domain);
  return { graph: finish(pieces, links, ends, n, cel.cel, [role]) };
};
