/**
 * A state trigger on `sun.sun` as Sunrise / sunset triggers: Home Assistant's sun turns
 * "above_horizon" at sunrise and "below_horizon" at sunset, the sun's centre 0.833° below the
 * horizon, which is how the trigger computes them too. Home Assistant's location is not in the
 * flow, so the triggers are made without the site's coordinates and show that problem until
 * the person sets them.
 */
import { isZero, placesOf, transformOf } from './convert-ha-state';
import { celString } from './values';
import { text, type Conversion, type Note, type Piece, type PieceEnd, type RedNode } from './types';

const STATES = { sunrise: 'above_horizon', sunset: 'below_horizon' } as const;

/** Which of sunrise and sunset pass the node's state condition, or why it cannot tell. */
const passing = (n: RedNode): { pass: (keyof typeof STATES)[] } | { reason: string } => {
  const value = text(n.ifState ?? n.haltifstate).trim();
  if (value === '') return { pass: ['sunrise', 'sunset'] };
  const type = text(n.ifStateType ?? n.halt_if_type) || 'str';
  const op = text(n.ifStateOperator ?? n.halt_if_compare) || 'is';
  const is = (Object.keys(STATES) as (keyof typeof STATES)[]).filter((e) => STATES[e] === value);
  if (type !== 'str' || !['is', 'is_not'].includes(op) || is.length === 0)
    return {
      reason: `Its condition on the sun (${op} ${value}) is not “is” or “is not” above or below the horizon.`,
    };
  return { pass: op === 'is' ? is : (['sunrise', 'sunset'] as const).filter((e) => !is.includes(e)) };
};

/** server-state-changed on sun.sun: a Sunrise and a Sunset trigger, each giving the state text. */
export const sunTrigger = (n: RedNode, note: Note): Conversion => {
  if (n.type !== 'server-state-changed') return { reason: 'It reads the sun’s state, which no role holds.' };
  if (n.outputInitially === true || n.outputinitially === true)
    return {
      reason:
        'It also sends the sun’s state when Home Assistant connects, which a Sunrise / sunset trigger does not.',
    };
  if (!isZero(n.for)) return { reason: 'It waits for the sun’s state to hold.' };
  if ((text(n.stateType ?? n.state_type) || 'str') !== 'str')
    return { reason: `It sends the sun’s state as a ${text(n.stateType ?? n.state_type)} value.` };
  if (Number(n.inputs) > 0 || n.enableInput === true)
    return { reason: 'Messages into it turn it on and off, which a trigger cannot be.' };
  const pass = passing(n);
  if ('reason' in pass) return pass;
  const pieces: Piece[] = [];
  const ok: PieceEnd[] = [];
  const not: PieceEnd[] = [];
  for (const [i, event] of (['sunrise', 'sunset'] as const).entries()) {
    const places = placesOf(n, 'sun.sun', celString(STATES[event]), i ? () => undefined : note, (put) => {
      // Before output properties: the state as payload, the entity id as topic, the event as data.
      put('payload', celString(STATES[event]));
      put('topic', celString('sun.sun'));
      if (!i) note('unsupported', 'msg.data (the event) is not set.');
      return undefined;
    });
    if ('reason' in places) return places;
    pieces.push(
      {
        key: event,
        kind: 'trigger.sun',
        config: { event, offsetMinutes: 0 },
        ...(i ? { dx: 0, dy: 80 } : {}),
      },
      { key: `${event}-state`, kind: 'logic.transform', config: transformOf(places), dx: 220, dy: i * 80 },
    );
    (pass.pass.includes(event) ? ok : not).push([`${event}-state`, 'out']);
  }
  note(
    'changed',
    'Its sun is a Sunrise and a Sunset trigger: set the site’s latitude and longitude on both (Home Assistant’s location is not in the flow); until then they show that problem.',
  );
  const conditional = text(n.ifState ?? n.haltifstate).trim() !== '';
  return {
    graph: {
      pieces,
      links: [
        { from: ['sunrise', 'out'], to: ['sunrise-state', 'in'] },
        { from: ['sunset', 'out'], to: ['sunset-state', 'in'] },
      ],
      outputs: conditional ? [ok, not] : [ok],
    },
  };
};
