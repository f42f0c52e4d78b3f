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
import { HOME_ASSISTANT_ONLY } from './convert-ha-other';
import { entityOf, roleOf } from './convert-ha-entities';
import { conditionOf, isZero, noteRole, placesOf, sentAs, testsText, transformOf } from './convert-ha-state';
import { stateTrigger } from './convert-ha-triggers';
import { text, type Conversion, type Note, type Piece, type RedNode } from './types';

/** api-current-state: the role's last value where the node puts the state, split on a state condition. */
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
  const value = `roles.${role.id}.${domain.state.property}`;
  const as = sentAs(text(n.state_type ?? n.stateType) || 'str', domain);
  if ('reason' in as) return as;
  const stateText = `(${domain.state.text(value)})`;
  const state = as.sent ? as.sent(value) : stateText;
  const conditionType = n.halt_if_type ?? n.ifStateType;
  const cel = conditionOf(
    n.halt_if ?? n.ifState,
    conditionType,
    n.halt_if_compare ?? n.ifStateOperator,
    stateText,
    { numeric: !!domain.state.as?.num, note },
  );
  if ('reason' in cel) return cel;
  if (cel.cel && as.sent && testsText(conditionType))
    return { reason: 'It tests the state’s text but sends it as another type.' };
  const places = placesOf(n, found.entity, state, note, (put) => {
    // Before output properties: the state at state_location, the entity at entity_location.
    if ((text(n.override_payload) || 'msg') === 'msg') {
      const problem = put(text(n.state_location) || 'payload', state);
      if (problem) return problem;
    } else if (text(n.override_payload) !== 'none')
      return `It stores the state in ${text(n.override_payload)} context.`;
    if ((text(n.override_data) || 'msg') !== 'none')
      note('unsupported', `msg.${text(n.entity_location) || 'data'} (the entity) is not set.`);
    return undefined;
  });
  if ('reason' in places) return places;
  if (places.topic !== undefined && as.sent)
    return { reason: 'It puts a state that is not text in the topic.' };
  note(
    'changed',
    `It reads the last state the gateway saw of ${role.title} (role “${role.id}”, ${role.capability}).`,
  );
  noteRole(note, role, domain);
  const main: Piece = {
    key: 'main',
    kind: 'logic.transform',
    config: transformOf(places),
  };
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

const CONVERTED = [
  'server-state-changed',
  'trigger-state',
  'poll-state',
  'api-current-state',
  'api-call-service',
  'call-service',
];

/** The Home Assistant node types handled here: converted, or placeholders saying what they do. */
export const HOME_ASSISTANT_TYPES = new Set([...CONVERTED, ...Object.keys(HOME_ASSISTANT_ONLY)]);

/** Converts one Home Assistant node, or says why it stays a placeholder. */
export const convertHomeAssistant = (n: RedNode, note: Note): Conversion =>
  Object.hasOwn(HOME_ASSISTANT_ONLY, n.type)
    ? { reason: HOME_ASSISTANT_ONLY[n.type]! }
    : n.type === 'api-current-state'
      ? currentState(n, note)
      : n.type === 'api-call-service' || n.type === 'call-service'
        ? callService(n, note)
        : stateTrigger(n, note);
