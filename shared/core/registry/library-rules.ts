import type { DeviceModel } from '../model/schemas';
import type { MatchCondition, MatchableModel, MatchRule } from './types';

/**
 * Turns the device-model library's discovery rules into registry match rules. Confidence
 * follows how telling the evidence is: an mDNS type with TXT or instance conditions, or an
 * MQTT topic with payload conditions, is strong; a bare service type or topic less so; a USB
 * VID:PID only names the adapter chip, so it is weak.
 */
export const matchableFromLibrary = (models: readonly DeviceModel[]): MatchableModel[] =>
  models.map((model) => {
    const rules: MatchRule[] = [];
    for (const rule of model.discovery ?? []) {
      if (rule.kind === 'mdns') {
        const all: MatchCondition[] = [{ fact: 'mdns.type', equals: rule.service }];
        for (const [key, pattern] of Object.entries(rule.txt ?? {}))
          all.push({ fact: `txt.${key.toLowerCase()}`, pattern });
        if (rule.instance) all.push({ fact: 'mdns.instance', pattern: rule.instance });
        rules.push({ all, confidence: all.length > 1 ? 0.9 : 0.6 });
      } else if (rule.kind === 'usb') {
        const all: MatchCondition[] = [{ fact: 'usb.vid', equals: rule.vid.toLowerCase() }];
        if (rule.pid) all.push({ fact: 'usb.pid', equals: rule.pid.toLowerCase() });
        rules.push({ all, confidence: 0.3 });
      } else {
        const condition: MatchCondition = {
          fact: 'mqtt',
          topicFilter: rule.topic,
          ...(rule.payload ? { pattern: rule.payload } : {}),
          ...(rule.where ? { where: rule.where } : {}),
          ...(rule.siblings ? { siblings: rule.siblings } : {}),
        };
        rules.push({ all: [condition], confidence: rule.payload || rule.where?.length ? 0.85 : 0.7 });
      }
    }
    return { id: model.id, name: model.title, rules };
  });

/**
 * The library's models first, then the built-in family rules. A built-in entry with the id of
 * a library model adds its rules to that model (they read facts the library rules cannot
 * express, such as a Shelly's app name learnt over MQTT RPC) and takes the library's title.
 */
export const mergeMatchable = (
  library: readonly MatchableModel[],
  builtin: readonly MatchableModel[],
): MatchableModel[] => {
  const builtinById = new Map(builtin.map((m) => [m.id, m]));
  const merged = library.map((m) => ({ ...m, rules: [...m.rules, ...(builtinById.get(m.id)?.rules ?? [])] }));
  const ids = new Set(library.map((m) => m.id));
  return [...merged.filter((m) => m.rules.length > 0), ...builtin.filter((m) => !ids.has(m.id))];
};
