/**
 * Converts one Node-RED node of the common palette into Fieldgraph nodes: inject, switch,
 * change, mqtt in/out, delay, debug, catch and http request here; trigger, rbe, range,
 * template, split and join in convert-sequence.ts; function nodes of simple code in function.ts. A node that cannot be converted faithfully
 * gives the reason it stays a placeholder; nothing is guessed.
 */
import { isDashboardType, type DashboardConverter } from './convert-dashboard';
import { convertHomeAssistant, HOME_ASSISTANT_TYPES } from './convert-ha';
import { httpIn, httpObjectsInCode, httpResponse } from './convert-http';
import { convertMore } from './convert-sequence';
import { convertFunction } from './function';
import { jsonataLogText, jsonataSubject } from './jsonata-uses';
import { changeRulesToTransform, switchRuleCel, type ChangeRule, type SwitchRule } from './rules';
import { chain, single, text, type Conversion, type Note, type Piece, type RedNode } from './types';
import { celString, isGatewayVariable, msgGuard, msgPath, typedValue, wholeProperty } from './values';

const SECONDS: Record<string, number> = {
  milliseconds: 0.001,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};

/** A duration in seconds from a Node-RED number and unit name (`timeout` + `timeoutUnits`). */
export const secondsOf = (value: unknown, unit: unknown): number => {
  const n = Number(value);
  const factor = SECONDS[text(unit) || 'seconds'] ?? SECONDS[`${text(unit)}s`] ?? 1;
  return Number.isFinite(n) && n >= 0 ? n * factor : 0;
};

const inject = (n: RedNode, note: Note, flowVars: ReadonlySet<string>): Conversion => {
  const repeat = Number(n.repeat);
  const crontab = text(n.crontab).trim();
  const main: Piece =
    crontab !== ''
      ? { key: 'main', kind: 'trigger.cron', config: { cron: crontab } }
      : Number.isFinite(repeat) && repeat > 0
        ? { key: 'main', kind: 'trigger.interval', config: { seconds: repeat } }
        : { key: 'main', kind: 'trigger.manual', config: {} };
  const triggers: Piece[] = [main];
  if (n.once === true) triggers.push({ key: 'started', kind: 'trigger.gateway-started', config: {}, dy: 70 });
  const props = Array.isArray(n.props) ? (n.props as { p?: string; v?: unknown; vt?: string }[]) : [];
  const payloadProp = props.find((p) => p.p === 'payload');
  const value = payloadProp
    ? typedValue(payloadProp.v ?? n.payload, payloadProp.vt ?? text(n.payloadType), flowVars)
    : typedValue(n.payload, text(n.payloadType) || 'date', flowVars);
  if ('reason' in value)
    return { reason: `It injects ${value.reason}; write the value as a Transform after a trigger.` };
  const extra = injectedProperties(n, props, flowVars);
  if ('reason' in extra) return extra;
  const ends = triggers.map((t) => [t.key, 'out'] as const);
  // A timestamp is what a trigger sends anyway; any other fixed payload needs a transform after it.
  if (value.cel === 'now' && Object.keys(extra.config).length === 0)
    return { graph: { pieces: triggers, links: [], outputs: [ends] } };
  const set: Piece = {
    key: 'value',
    kind: 'logic.transform',
    config: { ...(value.cel === 'now' ? {} : { payload: value.cel }), ...extra.config },
    dx: 240,
  };
  return {
    graph: {
      pieces: [...triggers, set],
      links: ends.map((from) => ({ from, to: ['value', 'in'] as const })),
      outputs: [[['value', 'out']]],
    },
  };
};

/** The topic and other properties an inject node sets besides the payload, as Transform config. */
const injectedProperties = (
  n: RedNode,
  props: readonly { p?: string; v?: unknown; vt?: string }[],
  flowVars: ReadonlySet<string>,
): { config: Record<string, unknown> } | { reason: string } => {
  const config: { topic?: string; properties?: Record<string, string> } = {};
  // Before Node-RED 1.1 an inject node had no props list: its topic field was always sent.
  const topicProp = props.length ? props.find((p) => p.p === 'topic') : { v: n.topic, vt: 'str' };
  const topic = topicProp ? text(topicProp.v ?? n.topic) : '';
  if (topic !== '') config.topic = celString(topic);
  for (const p of props) {
    if (!p.p || p.p === 'payload' || p.p === 'topic') continue;
    const path = msgPath(p.p);
    const name = path && wholeProperty(path);
    if (!name) return { reason: `It injects msg.${p.p}, which is not one whole property a message carries.` };
    const value = typedValue(p.v, p.vt, flowVars);
    if ('reason' in value) return { reason: `It injects msg.${p.p} as ${value.reason}.` };
    config.properties = { ...config.properties, [name]: value.cel === 'now' ? 'now' : value.cel };
  }
  return { config };
};

const switchNode = (n: RedNode, note: Note, flowVars: ReadonlySet<string>): Conversion => {
  const type = text(n.propertyType) || 'msg';
  const computed = type === 'jsonata' ? jsonataSubject(text(n.property), flowVars) : undefined;
  if (computed && 'reason' in computed) return { reason: `It tests ${computed.reason}.` };
  const subject = computed
    ? computed.cel
    : type === 'msg'
      ? msgPath(text(n.property) || 'payload')
      : type === 'flow' && flowVars.has(text(n.property))
        ? `vars.${text(n.property)}`
        : type === 'global' && isGatewayVariable(text(n.property))
          ? `global.${text(n.property)}`
          : null;
  if (!subject) {
    return {
      reason:
        type === 'msg'
          ? `It tests msg.${text(n.property)}, which is not a property name a Fieldgraph message carries.`
          : `It tests ${type} “${text(n.property)}”, which has no CEL equivalent here.`,
    };
  }
  const rules = (Array.isArray(n.rules) ? n.rules : []) as SwitchRule[];
  const outRules: { port: string; when: string }[] = [];
  const ports: string[] = [];
  rules.forEach((rule, i) => {
    if (rule.t === 'else') {
      ports.push('otherwise');
      return;
    }
    const cel = switchRuleCel(rule, subject, flowVars, computed?.guard);
    const port = `rule-${i + 1}`;
    if ('reason' in cel) {
      // An empty condition is a validation error, so the flow cannot be deployed until it is written.
      note(
        'unsupported',
        `Rule ${i + 1} tests ${cel.reason}; its condition was left empty — write it in CEL.`,
      );
      outRules.push({ port, when: '' });
    } else outRules.push({ port, when: cel.cel });
    ports.push(port);
  });
  if (outRules.length === 0) return { reason: 'It has no rules.' };
  if (text(n.repair) === 'true' || n.repair === true)
    note('changed', 'It recreated message sequences; Fieldgraph messages have no sequence parts.');
  return single('logic.switch', { rules: outRules, firstMatch: text(n.checkall) === 'false' }, ports);
};

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * A change node as a chain: runs of rules on the message become one Transform each, and a
 * rule setting a flow or global context value becomes a Set variable node (`flow.count` →
 * `vars.count`; `global.mode` → the gateway-wide `global.mode`).
 */
const change = (n: RedNode, note: Note, flowVars: ReadonlySet<string>): Conversion => {
  const rules = (Array.isArray(n.rules) ? n.rules : []) as ChangeRule[];
  const pieces: Piece[] = [];
  const blocking: string[] = [];
  let run: ChangeRule[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const { config, skipped, blocking: b } = changeRulesToTransform(run, flowVars);
    blocking.push(...b);
    for (const s of skipped) note('changed', `Left out ${s}.`);
    if (Object.keys(config).length)
      pieces.push({ key: `t${pieces.length}`, kind: 'logic.transform', config: { ...config } });
    run = [];
  };
  for (const rule of rules) {
    const store = rule.pt ?? 'msg';
    if ((store !== 'flow' && store !== 'global') || rule.t !== 'set') {
      // Node-RED applies rules in turn; a Transform computes from the message as it came in.
      if (
        run.length &&
        (rule.t === 'move' || (rule.t === 'set' && (rule.tot === 'msg' || rule.tot === 'jsonata')))
      )
        flush();
      run.push(rule);
      continue;
    }
    flush();
    const name = rule.p ?? '';
    const value = typedValue(rule.to, rule.tot, flowVars);
    const global = store === 'global';
    if (global ? !isGatewayVariable(name) : !VARIABLE.test(name))
      blocking.push(
        `${store}.${name} (a ${global ? 'gateway-wide' : 'flow'} variable name is one plain word)`,
      );
    else if (!('cel' in value)) blocking.push(`${store}.${name} to ${value.reason}`);
    else
      pieces.push({
        key: `v${pieces.length}`,
        kind: 'logic.set-variable',
        // Node-RED's global context is shared by every flow: a gateway-wide variable.
        config: global ? { name, value: value.cel, scope: 'gateway' } : { name, value: value.cel },
      });
  }
  flush();
  if (blocking.length) return { reason: `These rules need rebuilding: ${blocking.join('; ')}.` };
  if (pieces.length === 0) {
    if (rules.length)
      note('changed', 'None of its rules changes the message, so it passes messages on unchanged.');
    return single('logic.transform', {});
  }
  const first = pieces[0]!;
  return chain([
    { ...first, key: 'main' },
    ...pieces.slice(1).map((p, i) => ({ ...p, dx: 200 * (i + 1), dy: 0 })),
  ]);
};

const mqttIn = (n: RedNode, note: Note): Conversion => {
  const topic = text(n.topic).trim();
  if (!topic || Number(n.inputs) > 0)
    return {
      reason:
        'It subscribes to topics a message names at run time (a dynamic subscription); an MQTT message trigger needs its topic filter.',
    };
  const datatype = text(n.datatype) || 'auto';
  if (datatype === 'buffer' || datatype === 'base64') note('changed', `The ${datatype} output became text.`);
  if (n.broker) note('changed', 'The broker comes from the site profile, not from the Node-RED broker node.');
  return single('trigger.mqtt', {
    topic,
    // 'auto' (Node-RED < 3) gives strings; 'auto-detect' parses JSON like the trigger's json format.
    format: datatype === 'json' || datatype === 'auto-detect' ? 'json' : 'text',
  });
};

const mqttOut = (n: RedNode, note: Note): Conversion => {
  const topic = text(n.topic).trim();
  if (/[#+]/.test(topic))
    return { reason: `Its topic “${topic}” has a wildcard, which cannot be published to.` };
  if (n.broker) note('changed', 'The broker comes from the site profile, not from the Node-RED broker node.');
  const qos = Number(n.qos);
  return single('action.mqtt-publish', {
    // Without a topic of its own it publishes to the one each message carries (msg.topic).
    ...(topic ? { topic } : { topicFrom: 'topic' }),
    payload: 'payload',
    qos: qos === 1 || qos === 2 ? qos : 0,
    retain: n.retain === true || n.retain === 'true',
  });
};

const delay = (n: RedNode, note: Note): Conversion => {
  const pause = text(n.pauseType) || 'delay';
  if (pause === 'delay') return single('logic.delay', { seconds: secondsOf(n.timeout ?? 5, n.timeoutUnits) });
  if (pause === 'delayv') {
    note(
      'changed',
      'msg.delay is read when it is a number or text holding only a number (Node-RED also reads "500ms" as 500, and falls back to the fixed time for text that is no number, where this run fails); msg.reset and msg.flush are not acted on.',
    );
    return single('logic.delay', {
      seconds: secondsOf(n.timeout ?? 5, n.timeoutUnits),
      // Node-RED: milliseconds, parseFloat'd; a negative delay is none.
      secondsFrom:
        'has(msg.delay) && msg.delay != null ? (type(msg.delay) == string ? double(msg.delay) : msg.delay) / 1000.0 : null',
    });
  }
  if (pause === 'random') {
    const low = secondsOf(n.randomFirst ?? 1, n.randomUnits);
    const high = secondsOf(n.randomLast ?? 5, n.randomUnits);
    note('changed', `The random delay between ${low} and ${high} s became a fixed ${(low + high) / 2} s.`);
    return single('logic.delay', { seconds: (low + high) / 2 });
  }
  const per = secondsOf(n.nbRateUnits ?? 1, n.rateUnits ?? 'second');
  const rate = Math.max(1, Number(n.rate ?? 1));
  if (pause === 'rate' && n.drop !== true && n.drop !== 'true')
    note('changed', 'Messages over the rate are dropped (Throttle), not queued.');
  if (pause !== 'rate')
    note('changed', `The per-topic “${pause}” mode became one rate limit for all messages (Throttle).`);
  return single('logic.throttle', { seconds: (per > 0 ? per : 1) / rate });
};

const debug = (n: RedNode, note: Note, flowVars: ReadonlySet<string>): Conversion => {
  const target = text(n.targetType) || 'msg';
  const complete = text(n.complete) || 'payload';
  if (target === 'jsonata') {
    const logged = jsonataLogText(complete, flowVars);
    if ('cel' in logged) return single('action.log', { level: 'debug', message: logged.cel });
    note('changed', `It logged ${logged.reason} (not copied); it logs the payload.`);
    return single('action.log', { level: 'debug', message: 'string(payload)' });
  }
  if (complete === 'true' || target === 'full')
    return single('action.log', { level: 'debug', message: 'string(msg)' });
  const path = msgPath(complete);
  if (!path)
    note('changed', `It logged msg.${complete}, which is not a property name here; it logs the payload.`);
  const guard = path ? msgGuard(path) : undefined;
  return single('action.log', {
    level: 'debug',
    // Node-RED's sidebar shows a missing property as undefined.
    message: guard ? `${guard} ? string(${path}) : "undefined"` : `string(${path ?? 'payload'})`,
  });
};

const catchNode = (n: RedNode, note: Note): Conversion => {
  if (Array.isArray(n.scope) && n.scope.length)
    note('changed', 'It caught errors of some nodes; On error starts for a failure of any node in the flow.');
  return single('trigger.error', {});
};

const httpRequest = (n: RedNode, note: Note): Conversion => {
  const method = text(n.method) || 'GET';
  let url = text(n.url).trim();
  if (/\{\{/.test(url)) return { reason: `Its URL “${url}” is filled from the message at run time.` };
  if (url && !/^https?:\/\//i.test(url)) {
    if (url.includes('://')) return { reason: `Its URL “${url}” is not http:// or https://.` };
    url = `${n.tls ? 'https' : 'http'}://${url}`;
  }
  if (method !== 'use' && !['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
    return { reason: `Its method ${method} is not one an HTTP request node sends.` };
  const fromMessage = method === 'use' ? 'POST' : method;
  note(
    'changed',
    'Request headers a message carries (msg.headers) are not sent, and only msg.statusCode of the response is kept beside the body (not msg.headers).',
  );
  if (n.paytoqs === true || n.paytoqs === 'query')
    note('changed', 'The payload is not added to the query string.');
  if (text(n.ret) === 'bin') note('changed', 'The binary response became text.');
  if (n.tls || n.authType) note('changed', 'Its TLS and login settings were not carried over.');
  const request: Piece = {
    key: 'main',
    kind: 'action.http-request',
    config: {
      method: method === 'use' ? 'GET' : method,
      ...(url ? { url } : { urlFrom: 'msg.url' }),
      ...(method === 'use' ? { methodFrom: 'msg.method' } : {}),
      ...(fromMessage === 'GET' || fromMessage === 'DELETE' ? {} : { body: 'payload' }),
    },
  };
  // Node-RED's payload is the response body, with the status in msg.statusCode; Fieldgraph's payload is {status, body}.
  return chain([
    request,
    {
      key: 'body',
      kind: 'logic.transform',
      config: { payload: 'payload.body', properties: { statusCode: 'payload.status' } },
      dx: 240,
      dy: 0,
    },
  ]);
};

/**
 * Converts one node; `note` collects what was left out or changed; `flowVars` names the flow
 * context values of its tab that are flow variables here (see flowVariables), `globals` the
 * global context names some node of the export sets (see globalNames), `dashboard` converts
 * dashboard widgets (see dashboardImport; without it they stay placeholders).
 */
export const convertNode = (
  n: RedNode,
  note: Note,
  flowVars: ReadonlySet<string> = new Set(),
  globals: ReadonlySet<string> = new Set(),
  dashboard?: DashboardConverter,
): Conversion => {
  if (dashboard && isDashboardType(n.type)) return dashboard(n, note, flowVars);
  switch (n.type) {
    case 'inject':
      return inject(n, note, flowVars);
    case 'switch':
      return switchNode(n, note, flowVars);
    case 'change':
      return change(n, note, flowVars);
    case 'mqtt in':
      return mqttIn(n, note);
    case 'mqtt out':
      return mqttOut(n, note);
    case 'delay':
      return delay(n, note);
    case 'debug':
      return debug(n, note, flowVars);
    case 'catch':
      return catchNode(n, note);
    case 'http request':
      return httpRequest(n, note);
    case 'http in':
      return httpIn(n, note);
    case 'http response':
      return httpResponse(n, note);
    case 'function': {
      const http = httpObjectsInCode(n);
      return http ? { reason: http } : convertFunction(n, note, flowVars, globals);
    }
    default:
      return HOME_ASSISTANT_TYPES.has(n.type) ? convertHomeAssistant(n, note) : convertMore(n, note);
  }
};
