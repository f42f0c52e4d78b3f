/**
 * Trigger kinds: what starts a run. Each trigger names its source so the engine can index it
 * (device events and property changes by role, MQTT by topic, schedules by their next time).
 */
import { Type } from '@sinclair/typebox';
import { Cron } from 'croner';
import * as SunCalc from 'suncalc';
import type { CompiledExpression } from '../../expr/cel';
import { outPort, port, requiredText, sizes, timeZoneProblems } from './helpers';
import type { Message, NodeKind } from './types';

const conditionField = Type.Optional(
  Type.String({ description: 'CEL condition on the new value (`payload`); the run starts only when true' }),
);

const accepting =
  (condition: CompiledExpression | undefined) =>
  (message: Message, evaluate: (e: CompiledExpression, m: Message) => unknown): Message | undefined =>
    !condition || evaluate(condition, message) === true ? message : undefined;

const compileOptional = (source: unknown, compile: (s: string) => CompiledExpression) =>
  typeof source === 'string' && source.trim() !== '' ? compile(source) : undefined;

const deviceEvent: NodeKind = {
  kind: 'trigger.device-event',
  category: 'trigger',
  title: 'Device event',
  doc: 'Starts a run when a role emits an event (a button press, motion detected). `payload` is the event data.',
  icon: 'bolt',
  config: Type.Object({
    role: requiredText('The role whose event starts the flow'),
    event: requiredText('The event of that role’s capability'),
    condition: conditionField,
  }),
  inputs: [],
  outputs: outPort,
  outputShape: (config, ctx) =>
    ctx.roles.find((r) => r.name === config.role)?.capability.events[String(config.event)]?.data,
  expressions: [{ path: 'condition', expects: 'bool' }],
  roleRefs: [{ roleField: 'role', memberField: 'event', member: 'event' }],
  size: sizes.trigger,
  create: ({ config }, { compile }) => ({
    trigger: { type: 'device-event', role: String(config.role), event: String(config.event) },
    accept: accepting(compileOptional(config.condition, compile)),
  }),
};

const propertyChange: NodeKind = {
  kind: 'trigger.property-change',
  category: 'trigger',
  title: 'Property change',
  doc: 'Starts a run when a property of a role changes and the optional condition holds (`payload > 25`). `payload` is the new value.',
  icon: 'activity',
  config: Type.Object({
    role: requiredText('The role to watch'),
    property: requiredText('The property of that role’s capability'),
    condition: conditionField,
  }),
  inputs: [],
  outputs: outPort,
  outputShape: (config, ctx) =>
    ctx.roles.find((r) => r.name === config.role)?.capability.properties[String(config.property)],
  expressions: [{ path: 'condition', expects: 'bool' }],
  roleRefs: [{ roleField: 'role', memberField: 'property', member: 'property' }],
  size: sizes.trigger,
  create: ({ config }, { compile }) => ({
    trigger: { type: 'property-change', role: String(config.role), property: String(config.property) },
    accept: accepting(compileOptional(config.condition, compile)),
  }),
};

const interval: NodeKind = {
  kind: 'trigger.interval',
  category: 'trigger',
  title: 'Every interval',
  doc: 'Starts a run every N seconds. The phase is kept across gateway restarts.',
  icon: 'repeat',
  config: Type.Object({
    seconds: Type.Number({
      minimum: 1,
      maximum: 31_536_000,
      default: 60,
      description: 'Seconds between runs',
    }),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: ({ config }) => {
    const everyMs = Math.max(1, Number(config.seconds)) * 1000;
    return { trigger: { type: 'schedule', next: (after) => (Math.floor(after / everyMs) + 1) * everyMs } };
  },
};

const cron: NodeKind = {
  kind: 'trigger.cron',
  category: 'trigger',
  title: 'Cron schedule',
  doc: 'Starts a run on a cron schedule (`0 7 * * 1-5` = 07:00 on weekdays), in the given time zone or the gateway’s.',
  icon: 'calendar',
  config: Type.Object({
    cron: requiredText('Cron pattern: minute hour day-of-month month day-of-week (seconds optional, first)'),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' })),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  checkConfig: (config) => {
    const zone = timeZoneProblems(config.timezone);
    if (zone.length > 0 || typeof config.cron !== 'string' || !config.cron) return zone;
    try {
      new Cron(config.cron, {
        paused: true,
        ...(config.timezone ? { timezone: String(config.timezone) } : {}),
      });
      return [];
    } catch (error) {
      return [{ path: 'cron', message: (error as Error).message }];
    }
  },
  create: ({ config }) => {
    const timezone = typeof config.timezone === 'string' && config.timezone ? config.timezone : undefined;
    const job = new Cron(String(config.cron), { paused: true, ...(timezone ? { timezone } : {}) });
    return { trigger: { type: 'schedule', next: (after) => job.nextRun(new Date(after))?.getTime() } };
  },
};

/** The sun positions a sun trigger can follow, as suncalc names them. */
export const sunEvents = ['sunrise', 'sunset', 'dawn', 'dusk', 'solarNoon', 'goldenHour'] as const;

const sun: NodeKind = {
  kind: 'trigger.sun',
  category: 'trigger',
  title: 'Sunrise / sunset',
  doc: 'Starts a run at sunrise, sunset, dawn or dusk at the site, with an offset in minutes; computed offline.',
  icon: 'sun',
  config: Type.Object({
    event: Type.Union(
      sunEvents.map((e) => Type.Literal(e)),
      { default: 'sunset' },
    ),
    offsetMinutes: Type.Number({ minimum: -720, maximum: 720, default: 0 }),
    latitude: Type.Number({ minimum: -90, maximum: 90, description: 'Site latitude' }),
    longitude: Type.Number({ minimum: -180, maximum: 180, description: 'Site longitude' }),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: ({ config }) => {
    const event = String(config.event) as (typeof sunEvents)[number];
    const offsetMs = Number(config.offsetMinutes ?? 0) * 60_000;
    const [lat, lon] = [Number(config.latitude), Number(config.longitude)];
    const day = 86_400_000;
    return {
      trigger: {
        type: 'schedule',
        next: (after) => {
          // Polar days have no sunrise: look a few days ahead, then give up for this round.
          for (let d = -1; d <= 3; d++) {
            const at =
              (SunCalc.getTimes(new Date(after + d * day), lat, lon)[event]?.getTime() ?? NaN) + offsetMs;
            if (Number.isFinite(at) && at > after) return at;
          }
          return undefined;
        },
      },
    };
  },
};

const mqttMessage: NodeKind = {
  kind: 'trigger.mqtt',
  category: 'trigger',
  title: 'MQTT message',
  doc: 'Starts a run for each message on a topic (wildcards + and # allowed). JSON payloads are parsed; `topic` is the topic.',
  icon: 'inbox',
  config: Type.Object({
    topic: requiredText('Topic filter, e.g. sensors/+/temperature'),
    format: Type.Union([Type.Literal('json'), Type.Literal('text')], { default: 'json' }),
  }),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: ({ config }) => ({
    trigger: {
      type: 'mqtt',
      topic: String(config.topic),
      format: config.format === 'text' ? 'text' : 'json',
    },
  }),
};

const manual: NodeKind = {
  kind: 'trigger.manual',
  category: 'trigger',
  title: 'Manual',
  doc: 'Starts a run when someone presses Run, or when another flow runs this one. `payload` is what they pass.',
  icon: 'play',
  config: Type.Object({}),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: () => ({ trigger: { type: 'manual' } }),
};

const gatewayStarted: NodeKind = {
  kind: 'trigger.gateway-started',
  category: 'trigger',
  title: 'Gateway started',
  doc: 'Starts a run once each time the gateway starts the flows (after a boot or a deploy).',
  icon: 'power',
  config: Type.Object({}),
  inputs: [],
  outputs: outPort,
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: () => ({ trigger: { type: 'gateway-started' } }),
};

/** The shape of the payload an error trigger carries. */
export const errorPayloadShape = {
  type: 'object',
  properties: {
    runId: { type: 'string' },
    nodeId: { type: 'string' },
    kind: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

const onError: NodeKind = {
  kind: 'trigger.error',
  category: 'trigger',
  title: 'On error',
  doc: 'The flow’s error path: starts a run when any node of this flow fails. `payload` has runId, nodeId, kind and message.',
  icon: 'alert-triangle',
  config: Type.Object({}),
  inputs: [],
  outputs: [port('out', 'out', errorPayloadShape)],
  expressions: [],
  roleRefs: [],
  size: sizes.trigger,
  create: () => ({ trigger: { type: 'error' } }),
};

/** All trigger kinds. */
export const triggerKinds: readonly NodeKind[] = [
  deviceEvent,
  propertyChange,
  interval,
  cron,
  sun,
  mqttMessage,
  manual,
  gatewayStarted,
  onError,
];
