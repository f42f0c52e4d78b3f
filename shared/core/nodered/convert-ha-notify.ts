/**
 * Home Assistant's notify services (`notify.mobile_app_jo`, `notify.alexa_media_kitchen`) as a
 * Device action `notify` on a notifier@1 role named after the service: the service data's
 * message and title (literal, or Mustache tags on the message where they convert exactly),
 * target and options become the action's input. Which phone, speaker or mailbox receives it is
 * Home Assistant's configuration, so the role needs a device model of the project's own.
 */
import { bindingNote, filledIn, list } from './convert-ha-entities';
import { mustacheCel } from './convert-sequence';
import { lastStateOf, noteRole } from './convert-ha-state';
import { celLiteral, celString } from './values';
import { text, type Conversion, type Note, type Piece, type RedNode, type RoleNeed } from './types';

const KEYS = ['message', 'title', 'target', 'data'];

/** The service data as an object of literal values, or why not. */
const notifyData = (n: RedNode): { data: Record<string, unknown> } | { reason: string } => {
  const raw = n.data;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw))
    return { data: raw as Record<string, unknown> };
  const source = text(raw).trim();
  if (source === '')
    return { reason: 'It names no message: Home Assistant took it from the message’s payload.data.' };
  if (text(n.dataType) === 'jsonata')
    return { reason: 'Its service data is a JSONata expression, which is not copied as CEL.' };
  let parsed: unknown;
  try {
    // Mustache tags inside JSON strings leave the text valid JSON; tags elsewhere do not.
    parsed = JSON.parse(source);
  } catch {
    return { reason: 'Its service data is not valid JSON before its templates are filled in.' };
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? { data: parsed as Record<string, unknown> }
    : { reason: 'Its service data is not an object of keys and values.' };
};

/**
 * A text of the service data as CEL: literal, or Mustache tags. Home Assistant looks a tag up on
 * the message first, then in flow and global context, then in its entities' states; tags naming
 * the message's payload or topic, and `states.<entity>.state` (the last state the gateway saw of
 * the entity's role), convert. The roles such tags read are added to `roles`.
 */
const textCel = (
  key: string,
  value: unknown,
  note: Note,
  roles: RoleNeed[],
): { cel: string } | { reason: string } | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 4000)
    return { reason: `Its notification “${key}” is not a text of at most 4,000 characters.` };
  const parts: string[] = [];
  let at = 0;
  let escaped = false;
  for (const m of value.matchAll(/\{\{(\{?)\s*(&?)\s*([^{}]*?)\s*\}?\}\}/g)) {
    const tag = m[3]!;
    if (!m[1] && !m[2]) escaped = true;
    let cel: string;
    const entity = /^(?:states|entity)\.([a-z0-9_]+\.[a-z0-9_]+)(?:\.state)?$/.exec(tag)?.[1];
    if (entity) {
      const state = lastStateOf(entity);
      if ('reason' in state)
        return { reason: `Its notification “${key}” fills in {{${tag}}}. ${state.reason}` };
      roles.push(state.role);
      noteRole(note, state.role, state.domain);
      cel = state.cel;
    } else if (/^(payload|topic)\b/.test(tag)) {
      const one = mustacheCel(`{{{${tag}}}}`);
      if ('reason' in one) return { reason: `Its notification “${key}”: ${one.reason}` };
      cel = one.cel;
    } else
      return {
        reason: `Its notification “${key}” fills in {{${tag}}}, which Home Assistant reads from the message, context or its entities' states.`,
      };
    if (m.index! > at) parts.push(celString(value.slice(at, m.index)));
    parts.push(cel);
    at = m.index! + m[0].length;
  }
  if (at < value.length || parts.length === 0) parts.push(celString(value.slice(at)));
  if (escaped)
    note(
      'changed',
      `Its “${key}” {{…}} tags HTML-escaped text in Home Assistant's node (& < > " ' became entities); here text is inserted as it is.`,
    );
  return { cel: parts.join(' + ') };
};

/** notify.<service>: a notifier role's `notify` action with the message, title, target and options. */
export const notify = (n: RedNode, service: string, note: Note): Conversion => {
  if (filledIn(service)) return { reason: 'Its service is filled in from the message.' };
  const target = (n.target ?? {}) as Record<string, unknown>;
  const entities = [...list(n.entityId), ...list(n.entity_id), ...list(target.entityId)];
  if (entities.length || ['areaId', 'deviceId', 'floorId', 'labelId'].some((k) => list(target[k]).length))
    return { reason: `Its service notify.${service} is sent to entities or areas, not a notify service.` };
  if (text(n.mergeContext ?? n.mergecontext))
    return { reason: 'It merges its data from flow or global context.' };
  const parsed = notifyData(n);
  if ('reason' in parsed) return parsed;
  const { data } = parsed;
  const other = Object.keys(data).filter((k) => !KEYS.includes(k));
  if (other.length)
    return {
      reason: `It sends service data ${other.map((k) => `“${k}”`).join(', ')} that a notifier role has no place for (message, title, target, data).`,
    };
  const roles: RoleNeed[] = [];
  const message = textCel('message', data.message, note, roles);
  if (!message) return { reason: 'Its service data has no message, which Home Assistant requires.' };
  if ('reason' in message) return message;
  const title = textCel('title', data.title, note, roles);
  if (title && 'reason' in title) return title;
  const fields = [`"message": ${message.cel}`, ...(title ? [`"title": ${title.cel}`] : [])];
  if (data.target !== undefined) {
    const to = list(data.target);
    if (to.length === 0 || to.length > 32 || to.some((t) => t.length > 200 || /\{\{/.test(t)))
      return { reason: `Its notification “target” (${JSON.stringify(data.target)}) is not a list of names.` };
    fields.push(`"target": ${celLiteral(to)}`);
  }
  if (data.data !== undefined) {
    const options = data.data;
    const json = JSON.stringify(options) ?? '';
    if (options === null || typeof options !== 'object' || Array.isArray(options) || json.length > 16_384)
      return { reason: 'Its notification “data” is not an object of options of at most 16 KiB.' };
    if (/\{\{/.test(json))
      return { reason: 'Its notification “data” fills in templates, which are not copied as CEL.' };
    fields.push(`"data": ${celLiteral(options)}`);
  }
  const wiredOut = ((n.wires as unknown[][] | undefined) ?? []).some((w) => Array.isArray(w) && w.length);
  const role = {
    id: `notify_${service}`.slice(0, 120),
    title: `notify.${service}`,
    capability: 'notifier@1',
  };
  note(
    'changed',
    `It notifies through role “${role.id}” (notifier@1), which stands for Home Assistant's notify.${service}; a payload naming a domain, service or data no longer overrides it.`,
  );
  note('changed', bindingNote(role.capability, role.title)!);
  const action: Piece = {
    key: 'notify',
    kind: 'action.device-action',
    config: { role: role.id, action: 'notify', input: `{${fields.join(', ')}}` },
  };
  if (!wiredOut)
    return {
      graph: { pieces: [action], links: [], outputs: [[['notify', 'out']]], roles: [role, ...roles] },
    };
  // Home Assistant sends the message on as it came once the call is made; a Device action's
  // payload is the action's result, so the payload is kept aside and put back.
  note('changed', `Its payload is kept in msg.${KEPT} while the notification is sent, then put back.`);
  return {
    graph: {
      pieces: [
        { key: 'keep', kind: 'logic.transform', config: { properties: { [KEPT]: 'payload' } } },
        { ...action, dx: 220, dy: 0 },
        {
          key: 'back',
          kind: 'logic.transform',
          config: { payload: `msg.${KEPT}`, remove: [KEPT] },
          dx: 440,
          dy: 0,
        },
      ],
      links: [
        { from: ['keep', 'out'], to: ['notify', 'in'] },
        { from: ['notify', 'out'], to: ['back', 'in'] },
      ],
      outputs: [[['back', 'out']]],
      roles: [role, ...roles],
    },
  };
};

/** The message property holding the payload while a notification is sent. */
const KEPT = 'notify_payload';
