import type { MatchCondition, MatchableModel, ModelMatch, Sighting } from './types';

const conditionHolds = (condition: MatchCondition, facts: Readonly<Record<string, string>>): boolean => {
  const value = facts[condition.fact];
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (condition.equals !== undefined && lower !== condition.equals.toLowerCase()) return false;
  if (condition.prefix !== undefined && !lower.startsWith(condition.prefix.toLowerCase())) return false;
  if (condition.pattern !== undefined) {
    try {
      if (!new RegExp(condition.pattern, 'i').test(value)) return false;
    } catch {
      // A broken pattern in a model file must not take discovery down; it simply never matches.
      return false;
    }
  }
  return true;
};

const describe = (condition: MatchCondition, facts: Readonly<Record<string, string>>): string =>
  `${condition.fact} = ${JSON.stringify(facts[condition.fact])}`;

/**
 * Finds the library model that best fits the facts of a device's sightings. Facts of all
 * sightings are tested together (a rule may combine mDNS and MQTT facts); the rule with the
 * highest confidence wins, ties go to the rule with more conditions, then to the earlier model.
 * Returns null when no rule holds.
 */
export const matchModel = (
  sightings: readonly Sighting[],
  models: readonly MatchableModel[],
): ModelMatch | null => {
  const facts: Record<string, string> = {};
  for (const sighting of sightings) {
    for (const [key, value] of Object.entries(sighting.facts)) if (!(key in facts)) facts[key] = value;
  }
  let best: { model: MatchableModel; confidence: number; size: number; reason: string } | null = null;
  for (const model of models) {
    for (const rule of model.rules) {
      if (rule.all.length === 0 || !rule.all.every((c) => conditionHolds(c, facts))) continue;
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
