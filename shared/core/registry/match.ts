import type { MatchCondition, MatchableModel, MatchRule, ModelMatch, Sighting } from './types';

/** True when an MQTT topic matches a subscription filter with `+` and `#` wildcards. */
export const topicMatches = (filter: string, topic: string): boolean => {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
};

const pathValue = (value: unknown, path: string): unknown => {
  let current = value;
  for (const part of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
};

// Patterns come from a few dozen model rules but are tested for every device: compile once.
const compiled = new Map<string, RegExp | null>();

const patternHolds = (pattern: string, value: string): boolean => {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, 'i');
    } catch {
      // A broken pattern in a model file must not take discovery down; it simply never matches.
      regex = null;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex !== null && regex.test(value);
};

const messageHolds = (condition: MatchCondition, facts: Readonly<Record<string, string>>): boolean => {
  for (const [key, payload] of Object.entries(facts)) {
    if (!key.startsWith('topic:') || !topicMatches(condition.topicFilter ?? '', key.slice(6))) continue;
    if (condition.pattern !== undefined && !patternHolds(condition.pattern, payload)) continue;
    if (condition.where && condition.where.length > 0) {
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        continue;
      }
      const ok = condition.where.every((w) => {
        const v = pathValue(json, w.path);
        if (w.exists !== undefined && (v !== undefined) !== w.exists) return false;
        return w.equals === undefined || JSON.stringify(v) === JSON.stringify(w.equals);
      });
      if (!ok) continue;
    }
    const parent = key.slice(6, key.lastIndexOf('/'));
    const beside = Object.entries(condition.siblings ?? {}).every(([name, pattern]) => {
      const payload = facts[`topic:${parent}/${name}`];
      return payload !== undefined && patternHolds(pattern, payload);
    });
    if (!beside) continue;
    return true;
  }
  return false;
};

const conditionHolds = (condition: MatchCondition, facts: Readonly<Record<string, string>>): boolean => {
  if (condition.topicFilter !== undefined) return messageHolds(condition, facts);
  const value = facts[condition.fact];
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (condition.equals !== undefined && lower !== condition.equals.toLowerCase()) return false;
  if (condition.prefix !== undefined && !lower.startsWith(condition.prefix.toLowerCase())) return false;
  if (condition.pattern !== undefined && !patternHolds(condition.pattern, value)) return false;
  return true;
};

const describe = (condition: MatchCondition, facts: Readonly<Record<string, string>>): string =>
  condition.topicFilter !== undefined
    ? `an MQTT message on ${condition.topicFilter}${condition.pattern ? ` matching /${condition.pattern}/` : ''}${condition.where?.length ? ' with ' + condition.where.map((w) => `${w.path} = ${JSON.stringify(w.equals)}`).join(', ') : ''}${condition.siblings ? ` beside ${Object.keys(condition.siblings).join(', ')}` : ''}`
    : `${condition.fact} = ${JSON.stringify(facts[condition.fact])}`;

/**
 * Finds the library model that best fits the facts of a device's sightings. A rule holds when
 * one sighting's facts satisfy it, or the facts of all sightings together do (a rule may combine
 * mDNS and MQTT facts; where sightings disagree on a fact, the first one's value is the merged
 * one). So a device announcing `_http._tcp` and `_shelly._tcp` matches a rule on either service
 * type, whichever was heard first. The rule with the highest confidence wins, ties go to the
 * rule with more conditions, then to the earlier model. Returns null when no rule holds.
 */
export const matchModel = (
  sightings: readonly Sighting[],
  models: readonly MatchableModel[],
): ModelMatch | null => {
  const merged: Record<string, string> = {};
  for (const sighting of sightings) {
    for (const [key, value] of Object.entries(sighting.facts)) if (!(key in merged)) merged[key] = value;
  }
  // Facts whose value differs between sightings: only a rule reading one of them can hold on a
  // single sighting and not on the merged facts (which hold every key any sighting has).
  const conflicted = new Set<string>();
  if (sightings.length > 1) {
    for (const sighting of sightings) {
      for (const [key, value] of Object.entries(sighting.facts))
        if (merged[key] !== value) conflicted.add(key);
    }
  }
  const holds = (rule: MatchRule, facts: Readonly<Record<string, string>>) =>
    rule.all.every((c) => conditionHolds(c, facts));
  let best: { model: MatchableModel; confidence: number; size: number; reason: string } | null = null;
  for (const model of models) {
    for (const rule of model.rules) {
      if (rule.all.length === 0) continue;
      const facts = holds(rule, merged)
        ? merged
        : rule.all.some((c) => conflicted.has(c.fact))
          ? sightings.map((s) => s.facts).find((set) => holds(rule, set))
          : undefined;
      if (!facts) continue;
      const confidence = Math.max(0, Math.min(1, rule.confidence));
      if (
        best &&
        (confidence < best.confidence || (confidence === best.confidence && rule.all.length <= best.size))
      ) {
        continue;
      }
      best = {
        model,
        confidence,
        size: rule.all.length,
        reason: rule.all.map((c) => describe(c, facts)).join(' and '),
      };
    }
  }
  return best
    ? { id: best.model.id, name: best.model.name, confidence: best.confidence, reason: best.reason }
    : null;
};
