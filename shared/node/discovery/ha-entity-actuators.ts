/** Home Assistant switches, sirens, covers, locks, fans, valves and climate → library capabilities. */
import type { Implementation } from '../../core/model/schemas';
import { enumMap, parseAs, propertyBinding, publishTopic } from '../../core/registry/entity-bindings';
import {
  type Config,
  Invalid,
  str,
  pyText,
  statePairs,
  reader,
  commandMaps,
  retainOf,
  onOff,
  numberFrom,
  required,
} from './ha-entity-read';

/** A switch or siren: one boolean property on its state and command topics. */
export const switchLike = (c: Config, capability: string, component: string): Implementation => {
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  return {
    capability,
    properties: {
      on: onOff(c, {
        stateTopic: str(c, 'state_topic'),
        valueTemplate: c.value_template,
        commandTopic: required(c, 'command_topic', component),
        commandTemplate: c.command_template,
        payloadOn,
        payloadOff,
        stateOn: c.state_on ?? payloadOn,
        stateOff: c.state_off ?? payloadOff,
      }),
    },
  };
};
/** A cover: its state, position and open/close/stop actions, each where the config gives a topic. */
export const cover = (c: Config): Implementation => {
  const properties: NonNullable<Implementation['properties']> = {};
  const stateTopic = str(c, 'state_topic');
  if (stateTopic) {
    const read = reader(stateTopic, c.value_template, 'value template');
    properties.state = propertyBinding(
      [read.sub],
      [
        ...read.maps,
        enumMap(
          statePairs([
            [c.state_open ?? 'open', 'open'],
            [c.state_opening ?? 'opening', 'opening'],
            [c.state_closed ?? 'closed', 'closed'],
            [c.state_closing ?? 'closing', 'closing'],
            [c.state_stopped ?? 'stopped', 'stopped'],
          ]),
          'forward',
        ),
      ],
    );
  }
  const positionTopic = str(c, 'position_topic');
  const setPosition = str(c, 'set_position_topic');
  const open = typeof c.position_open === 'number' ? c.position_open : 100;
  const closed = typeof c.position_closed === 'number' ? c.position_closed : 0;
  if (positionTopic || setPosition) {
    const read = positionTopic ? reader(positionTopic, c.position_template, 'position template') : undefined;
    properties.position = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.set_position_template, 'set position template'),
        ...(read?.maps ?? []),
        ...(read ? [parseAs('number')] : []),
        {
          kind: 'linear',
          device: [closed, open],
          value: [0, 100],
          decimals: 0,
          deviceDecimals: 0,
          clamp: true,
        },
      ],
      setPosition ? publishTopic(setPosition, '{{value}}', retainOf(c)) : undefined,
    );
  }
  const commandTopic = str(c, 'command_topic');
  const actions: NonNullable<Implementation['actions']> = {};
  if (commandTopic) {
    for (const [action, key, fallback] of [
      ['open', 'payload_open', 'OPEN'],
      ['close', 'payload_close', 'CLOSE'],
      ['stop', 'payload_stop', 'STOP'],
    ] as const) {
      const payload = Object.hasOwn(c, key) ? c[key] : fallback;
      if (payload === null || payload === undefined) continue;
      actions[action] = { invoke: publishTopic(commandTopic, pyText(payload), retainOf(c)) };
    }
  }
  if (!Object.keys(properties).length && !Object.keys(actions).length)
    throw new Invalid('has neither a state, a position nor a command topic');
  return {
    capability: 'cover@1',
    ...(Object.keys(properties).length ? { properties } : {}),
    ...(Object.keys(actions).length ? { actions } : {}),
  };
};
/** A lock: locked state and lock/unlock actions. */
export const lock = (c: Config): Implementation => {
  const commandTopic = required(c, 'command_topic', 'lock');
  const stateTopic = str(c, 'state_topic');
  const read = stateTopic ? reader(stateTopic, c.value_template, 'value template') : undefined;
  const actions: NonNullable<Implementation['actions']> = {
    lock: { invoke: publishTopic(commandTopic, pyText(c.payload_lock ?? 'LOCK'), retainOf(c)) },
    unlock: { invoke: publishTopic(commandTopic, pyText(c.payload_unlock ?? 'UNLOCK'), retainOf(c)) },
  };
  return {
    capability: 'lock@1',
    ...(read
      ? {
          properties: {
            locked: propertyBinding(
              [read.sub],
              [
                ...read.maps,
                enumMap(
                  statePairs([
                    [c.state_locked ?? 'LOCKED', true],
                    [c.state_unlocked ?? 'UNLOCKED', false],
                  ]),
                  'forward',
                ),
              ],
            ),
          },
        }
      : {}),
    actions,
  };
};
/** A fan: on/off and, where configured, its percentage speed. */
export const fan = (c: Config): Implementation => {
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  const properties: NonNullable<Implementation['properties']> = {
    on: onOff(c, {
      stateTopic: str(c, 'state_topic'),
      valueTemplate: c.state_value_template,
      commandTopic: required(c, 'command_topic', 'fan'),
      commandTemplate: c.command_template,
      payloadOn,
      payloadOff,
      stateOn: payloadOn,
      stateOff: payloadOff,
    }),
  };
  const pctCommand = str(c, 'percentage_command_topic');
  const pctState = str(c, 'percentage_state_topic');
  if (pctCommand || pctState) {
    const min = typeof c.speed_range_min === 'number' ? c.speed_range_min : 1;
    const max = typeof c.speed_range_max === 'number' ? c.speed_range_max : 100;
    const read = pctState
      ? reader(pctState, c.percentage_value_template, 'percentage value template')
      : undefined;
    properties.speed = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.percentage_command_template, 'percentage command template'),
        ...(read?.maps ?? []),
        ...(read ? [parseAs('number')] : []),
        {
          kind: 'linear',
          device: [min - 1, max],
          value: [0, 100],
          decimals: 0,
          deviceDecimals: 0,
          clamp: true,
        },
      ],
      pctCommand ? publishTopic(pctCommand, '{{value}}', retainOf(c)) : undefined,
    );
  }
  return { capability: 'fan@1', properties };
};
/** A valve: open or closed and its open/close actions (a valve reporting a position gets a note). */
export const valve = (c: Config): { impl: Implementation; note?: string } => {
  const commandTopic = str(c, 'command_topic');
  const stateTopic = str(c, 'state_topic');
  const positional = c.reports_position === true;
  if (!commandTopic && !stateTopic) throw new Invalid('has neither a state nor a command topic');
  const read = stateTopic && !positional ? reader(stateTopic, c.value_template, 'value template') : undefined;
  const payloadOpen = pyText(c.payload_open ?? 'OPEN');
  const payloadClose = pyText(c.payload_close ?? 'CLOSE');
  const impl: Implementation = {
    capability: 'valve@1',
    properties: {
      open: propertyBinding(
        read ? [read.sub] : [],
        [
          ...(read?.maps ?? []),
          enumMap(
            statePairs([
              [c.state_open ?? 'open', true],
              [c.state_closed ?? 'closed', false],
            ]),
            'forward',
          ),
          enumMap(
            [
              [payloadOpen, true],
              [payloadClose, false],
            ],
            'reverse',
          ),
        ],
        commandTopic ? publishTopic(commandTopic, '{{value}}', retainOf(c)) : undefined,
      ),
    },
    ...(commandTopic
      ? {
          actions: {
            open: { invoke: publishTopic(commandTopic, payloadOpen, retainOf(c)) },
            close: { invoke: publishTopic(commandTopic, payloadClose, retainOf(c)) },
          },
        }
      : {}),
  };
  return { impl, ...(positional ? { note: 'its state is a position, so open/closed is not read' } : {}) };
};
const MODES = ['off', 'heat', 'cool', 'auto'];
/** A climate entity as a thermostat: current and target temperature, mode and whether it heats. */
export const climate = (c: Config): Implementation => {
  const properties: NonNullable<Implementation['properties']> = {};
  const current = str(c, 'current_temperature_topic');
  if (current) properties.currentTemperature = numberFrom(current, c.current_temperature_template);
  const tState = str(c, 'temperature_state_topic');
  const tCommand = str(c, 'temperature_command_topic');
  if (tState || tCommand) {
    const read = tState
      ? reader(tState, c.temperature_state_template, 'temperature state template')
      : undefined;
    properties.targetTemperature = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.temperature_command_template, 'temperature command template'),
        ...(read?.maps ?? []),
        parseAs('number'),
      ],
      tCommand ? publishTopic(tCommand, '{{value}}', retainOf(c)) : undefined,
    );
  }
  const mState = str(c, 'mode_state_topic');
  const mCommand = str(c, 'mode_command_topic');
  if (mState || mCommand) {
    const modes = (
      Array.isArray(c.modes) ? c.modes.map(String) : ['auto', 'off', 'cool', 'heat', 'dry', 'fan_only']
    ).filter((m) => MODES.includes(m));
    const read = mState ? reader(mState, c.mode_state_template, 'mode state template') : undefined;
    if (modes.length)
      properties.mode = propertyBinding(
        read ? [read.sub] : [],
        [
          ...commandMaps(c.mode_command_template, 'mode command template'),
          ...(read?.maps ?? []),
          enumMap(modes.map((m) => [m, m])),
        ],
        mCommand ? publishTopic(mCommand, '{{value}}', retainOf(c)) : undefined,
      );
  }
  const action = str(c, 'action_topic');
  if (action) {
    const read = reader(action, c.action_template, 'action template');
    properties.heating = propertyBinding(
      [read.sub],
      [
        ...read.maps,
        enumMap(
          ['off', 'heating', 'cooling', 'drying', 'idle', 'fan', 'preheating', 'defrosting'].map((a) => [
            a,
            a === 'heating',
          ]),
          'forward',
        ),
      ],
    );
  }
  if (!Object.keys(properties).length) throw new Invalid('has no temperature, mode or action topic');
  return { capability: 'thermostat@1', properties };
};
