/**
 * What Home Assistant's state nodes share: the state text a role's value is rebuilt into, state
 * conditions as CEL over that text, the output properties a conversion keeps, and the notes on
 * what a role leaves out.
 */
import { bindingNote, roleOf, type Domain } from './convert-ha-entities';
import { celString } from './values';
import { text, type Note, type RedNode, type RoleNeed } from './types';

/** Notes what a role leaves out of Home Assistant's states and how it gets bound. */
export const noteRole = (note: Note, role: RoleNeed, domain: Domain): void => {
  if (domain.state?.misses) note('changed', `Its state is rebuilt as text: ${domain.state.misses}.`);
  const binding = bindingNote(role.capability);
  if (binding) note('changed', binding);
};

/**
 * A state condition over the CEL text `subject` — is, is not, one of (comma-separated), not one
 * of, starts with — on a text value, or why it has no rewrite.
 */
export const conditionOf = (
  value: unknown,
  type: unknown,
  operator: unknown,
  subject = 'payload',
): { cel?: string } | { reason: string } => {
  const v = text(value);
  if (v === '') return {};
  const t = text(type) || 'str';
  const op = text(operator) || 'is';
  const items = () =>
    `[${v
      .split(',')
      .map((x) => celString(x.trim()))
      .join(', ')}]`;
  if (t === 'str')
    switch (op) {
      case 'is':
        return { cel: `${subject} == ${celString(v)}` };
      case 'is_not':
        return { cel: `${subject} != ${celString(v)}` };
      case 'includes':
        return { cel: `${subject} in ${items()}` };
      case 'does_not_include':
        return { cel: `!(${subject} in ${items()})` };
      case 'starts_with':
        return { cel: `${subject}.startsWith(${celString(v)})` };
    }
  return { reason: `Its state condition (${op} a ${t} value) has no CEL rewrite over a role's state text.` };
};

/** Whether a `for` duration is unset or zero. */
export const isZero = (v: unknown): boolean =>
  v === undefined || v === null || text(v).trim() === '' || Number(v) === 0;

/** Output properties that leave the message as Node-RED's defaults do: the state as payload. */
export const outputsDefault = (n: RedNode): boolean => {
  const props = Array.isArray(n.outputProperties) ? (n.outputProperties as Record<string, unknown>[]) : [];
  const payload = props.find((p) => p.property === 'payload' && (p.propertyType ?? 'msg') === 'msg');
  return !payload || payload.valueType === 'entityState';
};

/**
 * Whether the node sets the topic to the entity id (its default, and always before output
 * properties existed); notes each other output property it sets that the conversion does not.
 */
export const topicAndNotes = (n: RedNode, note: Note): boolean => {
  if (!Array.isArray(n.outputProperties)) return true;
  const props = n.outputProperties as Record<string, unknown>[];
  let topic = false;
  for (const p of props) {
    const name = `${text(p.propertyType) || 'msg'}.${text(p.property)}`;
    if (name === 'msg.payload') continue;
    if (name === 'msg.topic' && p.valueType === 'triggerId') topic = true;
    else note('unsupported', `${name} (${text(p.valueType) || 'a value'}) is not set.`);
  }
  return topic;
};

/** The state text of an entity as CEL over its role's last value, and the role, or why not. */
export const lastStateOf = (
  entity: string,
): { cel: string; role: RoleNeed; domain: Domain } | { reason: string } => {
  const mapped = roleOf(entity);
  if ('reason' in mapped) return mapped;
  const { role, domain } = mapped;
  if (!domain.state)
    return { reason: `A ${role.capability} role has no state Home Assistant reports as text.` };
  return { cel: `(${domain.state.text(`roles.${role.id}.${domain.state.property}`)})`, role, domain };
};
