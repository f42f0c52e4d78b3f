/**
 * Imports a Node-RED flow export (the JSON from Export → Clipboard) as Fieldgraph flows: one
 * flow per tab, with inject, switch, change, mqtt in/out, delay and debug nodes converted to
 * catalog kinds, Node-RED groups kept as labelled groups, and a report of everything that
 * could not be converted (function nodes, unsupported node types, rules and wires).
 */
import { flowSchemaVersion, type Flow, type FlowEdge, type FlowNode } from '../flow/schema';
import { changeRulesToTransform, switchRuleCel, type ChangeRule, type SwitchRule } from './rules';
import { msgPath, typedValue } from './values';

/** One Node-RED object of an export (tab, node, config node or group). */
interface RedNode {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  readonly name?: string;
  readonly label?: string;
  readonly x?: number;
  readonly y?: number;
  readonly g?: string;
  readonly wires?: readonly (readonly string[])[];
  readonly [key: string]: unknown;
}

/** One thing the import left out or changed, tied to the Node-RED node it came from. */
export interface ImportNote {
  readonly nodeId?: string;
  readonly nodeType?: string;
  readonly nodeName?: string;
  readonly severity: 'unsupported' | 'changed';
  readonly message: string;
}

/** A labelled group of imported nodes (from a Node-RED group). */
export interface ImportedGroup {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly string[];
}

/** The flows made from an export, and what did not convert. */
export interface NodeRedImport {
  readonly flows: readonly { readonly flow: Flow; readonly groups: readonly ImportedGroup[] }[];
  readonly notes: readonly ImportNote[];
  /** How many Node-RED nodes became Fieldgraph nodes, out of how many flow nodes there were. */
  readonly converted: number;
  readonly total: number;
}

/** Why an export could not be read at all. */
export class NodeRedImportError extends Error {
  override readonly name = 'NodeRedImportError';
}

const CONFIG_TYPES = new Set(['tab', 'subflow', 'group', 'comment', 'mqtt-broker', 'tls-config', 'junction']);
/** Node-RED positions are node centres at a tighter scale; Fieldgraph nodes are 200 px wide. */
const SCALE_X = 1.6;
const SCALE_Y = 1.4;

/** A Node-RED id made safe as a Fieldgraph id (Node-RED 1.x ids contain a dot). */
const safeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'node';

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

const parse = (json: string | unknown): RedNode[] => {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new NodeRedImportError(
        `This is not JSON (${(error as Error).message}). In Node-RED use Menu → Export → Clipboard and paste all of it.`,
      );
    }
  }
  if (!Array.isArray(data)) {
    throw new NodeRedImportError('A Node-RED export is a JSON list of nodes ([ … ]); this is not a list.');
  }
  const nodes = data.filter(
    (n): n is RedNode =>
      typeof n === 'object' && n !== null && typeof n.id === 'string' && typeof n.type === 'string',
  );
  if (nodes.length === 0) throw new NodeRedImportError('The export holds no Node-RED nodes.');
  return nodes;
};

interface Converted {
  readonly kind: string;
  readonly config: Record<string, unknown>;
  /** Fieldgraph output port for each Node-RED output index. */
  readonly outputs: readonly string[];
  /** An extra node after this one (an inject's fixed payload), wired from its out port. */
  readonly then?: { readonly kind: string; readonly config: Record<string, unknown> };
}

const SECONDS: Record<string, number> = {
  milliseconds: 0.001,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};

/** Converts one Node-RED node; notes what it had to leave out. Null when it does not convert. */
const convert = (
  n: RedNode,
  note: (severity: ImportNote['severity'], message: string) => void,
): Converted | null => {
  switch (n.type) {
    case 'inject': {
      const repeat = Number(n.repeat);
      const crontab = text(n.crontab).trim();
      const trigger: Converted =
        crontab !== ''
          ? { kind: 'trigger.cron', config: { cron: crontab }, outputs: ['out'] }
          : Number.isFinite(repeat) && repeat > 0
            ? { kind: 'trigger.interval', config: { seconds: repeat }, outputs: ['out'] }
            : { kind: 'trigger.manual', config: {}, outputs: ['out'] };
      if (n.once === true)
        note(
          'unsupported',
          '“Inject once after start” is not carried over; add a Gateway started trigger for it.',
        );
      const props = Array.isArray(n.props) ? (n.props as { p?: string; v?: unknown; vt?: string }[]) : [];
      const payloadProp = props.find((p) => p.p === 'payload');
      const value = payloadProp
        ? typedValue(payloadProp.v ?? n.payload, payloadProp.vt ?? text(n.payloadType))
        : typedValue(n.payload, text(n.payloadType) || 'date');
      if (props.some((p) => p.p && p.p !== 'payload' && p.p !== 'topic')) {
        note(
          'unsupported',
          `Injected properties other than payload and topic (${props.map((p) => p.p).join(', ')}) were left out.`,
        );
      }
      if ('reason' in value) {
        note(
          'unsupported',
          `The injected payload is ${value.reason}; the trigger sends its own payload instead.`,
        );
        return trigger;
      }
      // A timestamp is what a trigger sends anyway; any other fixed payload needs a transform after it.
      if (value.cel === 'now') return trigger;
      return { ...trigger, then: { kind: 'logic.transform', config: { payload: value.cel } } };
    }
    case 'switch': {
      const subject = text(n.propertyType || 'msg') === 'msg' ? msgPath(text(n.property) || 'payload') : null;
      if (!subject) {
        note(
          'unsupported',
          `The switch tests ${text(n.propertyType || 'msg')}.${text(n.property)}; only msg.payload and msg.topic convert.`,
        );
        return null;
      }
      const rules = (Array.isArray(n.rules) ? n.rules : []) as SwitchRule[];
      const outRules: { port: string; when: string }[] = [];
      const outputs: string[] = [];
      rules.forEach((rule, i) => {
        if (rule.t === 'else') {
          outputs.push('otherwise');
          return;
        }
        const cel = switchRuleCel(rule, subject);
        const port = `rule-${i + 1}`;
        if ('reason' in cel) {
          note(
            'unsupported',
            `Rule ${i + 1} (${cel.reason}) was replaced by “false”; rewrite it as a CEL condition.`,
          );
          outRules.push({ port, when: 'false' });
        } else outRules.push({ port, when: cel.cel });
        outputs.push(port);
      });
      if (outRules.length === 0) outRules.push({ port: 'rule-1', when: 'false' });
      return {
        kind: 'logic.switch',
        config: { rules: outRules, firstMatch: text(n.checkall) === 'false' },
        outputs,
      };
    }
    case 'change': {
      const rules = (Array.isArray(n.rules) ? n.rules : []) as ChangeRule[];
      const { config, skipped } = changeRulesToTransform(rules);
      for (const s of skipped) note('unsupported', `Left out ${s}.`);
      return { kind: 'logic.transform', config: { ...config }, outputs: ['out'] };
    }
    case 'mqtt in': {
      const datatype = text(n.datatype) || 'auto';
      if (datatype === 'buffer' || datatype === 'base64')
        note('changed', `The ${datatype} output became text.`);
      if (n.broker)
        note('changed', 'The broker comes from the site profile, not from the Node-RED broker node.');
      return {
        kind: 'trigger.mqtt',
        config: {
          topic: text(n.topic),
          format: datatype === 'json' || datatype === 'auto-detect' || datatype === 'auto' ? 'json' : 'text',
        },
        outputs: ['out'],
      };
    }
    case 'mqtt out': {
      if (n.broker)
        note('changed', 'The broker comes from the site profile, not from the Node-RED broker node.');
      const topic = text(n.topic);
      if (!topic) note('unsupported', 'The topic came from msg.topic at run time; set a fixed topic.');
      const qos = Number(n.qos);
      return {
        kind: 'action.mqtt-publish',
        config: {
          topic,
          qos: qos === 1 || qos === 2 ? qos : 0,
          retain: n.retain === true || n.retain === 'true',
        },
        outputs: ['out'],
      };
    }
    case 'delay': {
      const unit = SECONDS[text(n.timeoutUnits) || 'seconds'] ?? 1;
      const rateUnit = SECONDS[`${text(n.rateUnits) || 'second'}s`] ?? 1;
      const pause = text(n.pauseType) || 'delay';
      if (pause === 'delay' || pause === 'delayv') {
        if (pause === 'delayv')
          note('changed', 'The delay came from msg.delay; it became the configured delay.');
        return { kind: 'logic.delay', config: { seconds: Number(n.timeout ?? 5) * unit }, outputs: ['out'] };
      }
      if (pause === 'rate' || pause === 'timed') {
        note('changed', 'The rate limit drops messages over the rate instead of queueing them (Throttle).');
        return {
          kind: 'logic.throttle',
          config: { seconds: (Number(n.nbRateUnits ?? 1) * rateUnit) / Math.max(1, Number(n.rate ?? 1)) },
          outputs: ['out'],
        };
      }
      note('unsupported', `The “${pause}” delay mode has no equivalent; it became a fixed delay.`);
      return { kind: 'logic.delay', config: { seconds: Number(n.timeout ?? 5) * unit }, outputs: ['out'] };
    }
    case 'debug': {
      const complete = text(n.complete) || 'payload';
      const path = complete === 'true' ? 'payload' : complete;
      if (complete === 'true')
        note('changed', 'The debug node logged the whole message; it logs the payload.');
      return {
        kind: 'action.log',
        config: { level: 'debug', message: `string(${path.startsWith('payload') ? path : 'payload'})` },
        outputs: ['out'],
      };
    }
    case 'function':
      note(
        'unsupported',
        'Function nodes run JavaScript, which Fieldgraph flows never run; rebuild it from If, Switch and Transform nodes (CEL).',
      );
      return null;
    default:
      note('unsupported', `Node-RED “${n.type}” nodes have no Fieldgraph equivalent.`);
      return null;
  }
};

/**
 * Converts a Node-RED export (JSON text or parsed) to flows; throws NodeRedImportError when
 * it is not an export at all. Wires into or out of nodes that did not convert are dropped
 * and reported.
 */
export const importNodeRed = (json: string | unknown): NodeRedImport => {
  const all = parse(json);
  const notes: ImportNote[] = [];
  const tabs = all.filter((n) => n.type === 'tab');
  const flowNodes = all.filter(
    (n) => !CONFIG_TYPES.has(n.type) && !n.type.startsWith('subflow:') && typeof n.wires !== 'undefined',
  );
  for (const n of all) {
    if (n.type.startsWith('subflow')) {
      notes.push({
        nodeId: n.id,
        nodeType: n.type,
        severity: 'unsupported',
        message: 'Subflows are not imported; import their contents as a flow.',
      });
    }
  }
  const tabIds = [...new Set(flowNodes.map((n) => n.z ?? ''))];
  const converted = new Map<string, { node: FlowNode; conv: Converted; then?: FlowNode }>();
  for (const n of flowNodes) {
    const note = (severity: ImportNote['severity'], message: string) =>
      notes.push({
        nodeId: n.id,
        nodeType: n.type,
        ...(n.name ? { nodeName: text(n.name) } : {}),
        severity,
        message,
      });
    const conv = convert(n, note);
    if (!conv) continue;
    const id = safeId(n.id);
    const position = {
      x: Math.round((Number(n.x ?? 0) - 60) * SCALE_X),
      y: Math.round((Number(n.y ?? 0) - 20) * SCALE_Y),
    };
    const node: FlowNode = {
      id,
      kind: conv.kind,
      config: conv.config,
      position,
      ...(n.name ? { label: text(n.name).slice(0, 120) } : {}),
    };
    const then = conv.then
      ? {
          id: safeId(`${n.id}-value`),
          kind: conv.then.kind,
          config: conv.then.config,
          position: { x: position.x + 240, y: position.y },
        }
      : undefined;
    converted.set(n.id, { node, conv, ...(then ? { then } : {}) });
  }

  const flows = tabIds.map((tabId, i) => {
    const tab = tabs.find((t) => t.id === tabId);
    const members = flowNodes.filter((n) => (n.z ?? '') === tabId);
    const nodes: FlowNode[] = [];
    const edges: FlowEdge[] = [];
    for (const n of members) {
      const c = converted.get(n.id);
      if (!c) continue;
      nodes.push(c.node);
      if (c.then) {
        nodes.push(c.then);
        edges.push({
          id: safeId(`${n.id}-value-wire`),
          from: { node: c.node.id, port: 'out' },
          to: { node: c.then.id, port: 'in' },
        });
      }
    }
    for (const n of members) {
      const source = converted.get(n.id);
      (n.wires ?? []).forEach((targets, index) => {
        for (const targetId of targets) {
          const target = converted.get(targetId);
          const port = source?.conv.outputs[index];
          if (!source || !target || !port) {
            notes.push({
              nodeId: n.id,
              nodeType: n.type,
              severity: 'unsupported',
              message: `The wire from ${n.type} ${n.id} to ${targetId} was dropped: one end did not convert.`,
            });
            continue;
          }
          const from = source.then ? { node: source.then.id, port: 'out' } : { node: source.node.id, port };
          edges.push({
            id: safeId(`${n.id}-${index}-${targetId}`),
            from,
            to: { node: target.node.id, port: 'in' },
          });
        }
      });
    }
    const groups: ImportedGroup[] = all
      .filter((g) => g.type === 'group' && (g.z ?? '') === tabId)
      .map((g) => ({
        id: safeId(g.id),
        label: text(g.name) || 'Group',
        nodes: (Array.isArray(g.nodes) ? (g.nodes as string[]) : [])
          .filter((id) => converted.has(id))
          .map(safeId),
      }))
      .filter((g) => g.nodes.length > 0);
    const flow: Flow = {
      schemaVersion: flowSchemaVersion,
      id: safeId(tabId || `imported-${i + 1}`),
      name: (text(tab?.label) || `Imported flow ${i + 1}`).slice(0, 120),
      roles: [],
      runMode: { mode: 'parallel', max: 10 },
      nodes,
      edges,
    };
    return { flow, groups };
  });
  return { flows, notes, converted: converted.size, total: flowNodes.length };
};
