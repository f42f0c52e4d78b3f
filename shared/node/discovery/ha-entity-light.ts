/** Home Assistant lights (default, json and template schemas) → the light capabilities. */
import { checkHaTemplate } from '../../core/model/ha-template';
import type { Implementation } from '../../core/model/schemas';
import { enumMap, observeTopic, propertyBinding, publishTopic } from '../../core/registry/entity-bindings';
import {
  type Config,
  Unsupported,
  str,
  statePairs,
  reader,
  commandMaps,
  retainOf,
  onOff,
  required,
} from './ha-entity-read';

const COLOR_KEYS = [
  'rgb_command_topic',
  'rgbw_command_topic',
  'rgbww_command_topic',
  'hs_command_topic',
  'xy_command_topic',
  'color_temp_command_topic',
];
const COLOR_MODES = new Set(['rgb', 'rgbw', 'rgbww', 'hs', 'xy', 'color_temp', 'white']);
/** A light in any of its three schemas; returns the binding and a note on what was left unbound. */
export const light = (c: Config): { impl: Implementation; note?: string } => {
  const schema = str(c, 'schema') ?? 'default';
  const commandTopic = required(c, 'command_topic', 'light');
  const modes = Array.isArray(c.supported_color_modes) ? c.supported_color_modes.map(String) : [];
  if (schema === 'json') {
    const color =
      modes.some((m) => COLOR_MODES.has(m)) ||
      c.rgb === true ||
      c.xy === true ||
      c.hs === true ||
      c.color_temp === true;
    const dimmable = color || c.brightness === true || modes.includes('brightness');
    const stateTopic = str(c, 'state_topic');
    const scale = typeof c.brightness_scale === 'number' && c.brightness_scale > 0 ? c.brightness_scale : 255;
    const properties: NonNullable<Implementation['properties']> = {
      on: propertyBinding(
        stateTopic ? [observeTopic(stateTopic, 'state')] : [],
        [
          enumMap(
            statePairs([
              ['ON', true],
              ['OFF', false],
            ]),
            'forward',
          ),
          enumMap(
            [
              ['ON', true],
              ['OFF', false],
            ],
            'reverse',
          ),
        ],
        publishTopic(commandTopic, { state: '{{value}}' }, retainOf(c)),
      ),
    };
    if (dimmable) {
      properties.brightness = propertyBinding(
        stateTopic ? [observeTopic(stateTopic, 'brightness')] : [],
        [
          {
            kind: 'linear',
            device: [0, scale],
            value: [0, 100],
            decimals: 0,
            deviceDecimals: 0,
            clamp: true,
          },
        ],
        publishTopic(commandTopic, { state: 'ON', brightness: '{{value}}' }, retainOf(c)),
      );
    }
    return {
      impl: { capability: color ? 'color-light@1' : dimmable ? 'dimmer@1' : 'switch@1', properties },
      ...(color ? { note: 'colour and colour temperature are not bound' } : {}),
    };
  }
  if (schema === 'template') {
    const onTpl = checkHaTemplate(String(c.command_on_template ?? ''));
    const offTpl = checkHaTemplate(String(c.command_off_template ?? ''));
    if (!onTpl.ok) throw new Unsupported(`its command_on_template ${onTpl.reason}`);
    if (!offTpl.ok) throw new Unsupported(`its command_off_template ${offTpl.reason}`);
    if (onTpl.template.parts.some((p) => 'expr' in p) || offTpl.template.parts.some((p) => 'expr' in p))
      throw new Unsupported(
        'its command templates need the state to render, which the template subset does not give them',
      );
    const stateTopic = str(c, 'state_topic');
    const read = stateTopic ? reader(stateTopic, c.state_template, 'state template') : undefined;
    return {
      impl: {
        capability: 'switch@1',
        properties: {
          on: propertyBinding(
            read ? [read.sub] : [],
            [
              ...(read?.maps ?? []),
              enumMap(
                statePairs([
                  ['on', true],
                  ['off', false],
                ]),
                'forward',
              ),
              enumMap(
                [
                  [String(c.command_on_template), true],
                  [String(c.command_off_template), false],
                ],
                'reverse',
              ),
            ],
            publishTopic(commandTopic, '{{value}}', retainOf(c)),
          ),
        },
      },
      ...(c.brightness_template
        ? { note: 'brightness is not bound (the template schema renders it into the on command)' }
        : {}),
    };
  }
  if (schema !== 'default' && schema !== 'basic') throw new Unsupported(`uses the light schema "${schema}"`);
  const payloadOn = c.payload_on ?? 'ON';
  const payloadOff = c.payload_off ?? 'OFF';
  const color = COLOR_KEYS.some((k) => str(c, k)) || modes.some((m) => COLOR_MODES.has(m));
  const brightnessTopic = str(c, 'brightness_command_topic');
  const properties: NonNullable<Implementation['properties']> = {
    on: onOff(c, {
      stateTopic: str(c, 'state_topic'),
      valueTemplate: c.state_value_template,
      commandTopic,
      payloadOn,
      payloadOff,
      stateOn: payloadOn,
      stateOff: payloadOff,
    }),
  };
  if (brightnessTopic) {
    const scale = typeof c.brightness_scale === 'number' && c.brightness_scale > 0 ? c.brightness_scale : 255;
    const stateTopic = str(c, 'brightness_state_topic');
    const read = stateTopic
      ? reader(stateTopic, c.brightness_value_template, 'brightness value template')
      : undefined;
    properties.brightness = propertyBinding(
      read ? [read.sub] : [],
      [
        ...commandMaps(c.brightness_command_template, 'brightness command template'),
        ...(read?.maps ?? []),
        { kind: 'linear', device: [0, scale], value: [0, 100], decimals: 0, deviceDecimals: 0, clamp: true },
      ],
      publishTopic(brightnessTopic, '{{value}}', retainOf(c)),
    );
  }
  const capability = color ? 'color-light@1' : brightnessTopic ? 'dimmer@1' : 'switch@1';
  return {
    impl: { capability, properties },
    ...(color
      ? { note: `colour${brightnessTopic ? '' : ', brightness'} and colour temperature are not bound` }
      : {}),
  };
};
