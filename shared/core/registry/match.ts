import { topicMatches } from '../topics/match';
import type { MatchCondition, MatchableModel, MatchRule, ModelMatch, Sighting } from './types';

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

/** A condition made ready once: lower-cased comparands, so a device costs only lookups. */
interface CompiledCondition {
  readonly source: MatchCondition;
  readonly equals: string | undefined;
  readonly prefix: string | undefined;
}

interface CompiledRule {
  readonly rule: MatchRule;
  /** Fact conditions first (a lookup each), message conditions last (they scan the messages). */
  readonly all: readonly CompiledCondition[];
  readonly confidence: number;
}

interface CompiledModel {
  readonly model: MatchableModel;
  readonly rules: readonly CompiledRule[];
}

// Models are fixed for a registry's life but tested for every device: compile them once per list.
const compiledModels = new WeakMap<readonly MatchableModel[], readonly CompiledModel[]>();

const compileModels = (models: readonly MatchableModel[]): readonly CompiledModel[] => {
  let out = compiledModels.get(models);
  if (out) return out;
  out = models.map((model) => ({
    model,
    rules: model.rules.map((rule) => ({
      rule,
      confidence: Math.max(0, Math.min(1, rule.confidence)),
      all: [...rule.all]
        .sort((a, b) => Number(a.topicFilter !== undefined) - Number(b.topicFilter !== undefined))
        .map((c) => ({ source: c, equals: c.equals?.toLowerCase(), prefix: c.prefix?.toLowerCase() })),
    })),
  }));
  compiledModels.set(models, out);
  return out;
};

const conditionHolds = (condition: CompiledCondition, facts: Readonly<Record<string, string>>): boolean => {
  const c = condition.source;
  if (c.topicFilter !== undefined) return messageHolds(c, facts);
  const value = facts[c.fact];
  if (value === undefined) return false;
  if (condition.equals !== undefined || condition.prefix !== undefined) {
    const lower = value.toLowerCase();
    if (condition.equals !== undefined && lower !== condition.equals) return false;
    if (condition.prefix !== undefined && !lower.startsWith(condition.prefix)) return false;
  }
  if (c.pattern !== undefined && !patternHolds(c.pattern, value)) return false;
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
  // One sighting (most devices) is its own merged facts: no copy.
  let merged: Readonly<Record<string, string>> = sightings[0]?.facts ?? {};
  // Facts whose value differs between sightings: only a rule reading one of them can hold on a
  // single sighting and not on the merged facts (which hold every key any sighting has).
  const conflicted = new Set<string>();
  if (sightings.length > 1) {
    const all: Record<string, string> = {};
    for (const sighting of sightings) {
      for (const [key, value] of Object.entries(sighting.facts)) if (!(key in all)) all[key] = value;
    }
    for (const sighting of sightings) {
      for (const [key, value] of Object.entries(sighting.facts)) if (all[key] !== value) conflicted.add(key);
    }
    merged = all;
  }
  const holds = (all: readonly CompiledCondition[], facts: Readonly<Record<string, string>>) =>
    all.every((c) => conditionHolds(c, facts));
  let best: {
    model: MatchableModel;
    rule: MatchRule;
    confidence: number;
    size: number;
    facts: Readonly<Record<string, string>>;
  } | null = null;
  for (const { model, rules } of compileModels(models)) {
    for (const { rule, all, confidence } of rules) {
      if (all.length === 0) continue;
      // A rule that could not beat the best so far is not worth testing.
      if (
        best &&
        (confidence < best.confidence || (confidence === best.confidence && all.length <= best.size))
      )
        continue;
      const facts = holds(all, merged)
        ? merged
        : conflicted.size > 0 && all.some((c) => conflicted.has(c.source.fact))
          ? sightings.map((s) => s.facts).find((set) => holds(all, set))
          : undefined;
      if (!facts) continue;
      best = { model, rule, confidence, size: all.length, facts };
    }
  }
  return best
    ? {
        id: best.model.id,
        name: best.model.name,
        confidence: best.confidence,
        reason: best.rule.all.map((c) => describe(c, best.facts)).join(' and '),
      }
    : null;
};
