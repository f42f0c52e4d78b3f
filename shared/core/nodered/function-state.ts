/**
 * The state a function node's code has built on one path (function-graph.ts's State): copied for
 * each branch of an if, and merged again after an if whose branches both carry on, each value
 * then picked by the if's condition. What cannot be merged exactly (a property set on one branch
 * only, logging on one branch) is refused with its reason.
 */
import { pick, type State } from './function-graph';
import { mergeSets } from './function-setup';
import { Untranslatable, type Sym } from './js-expr';

/** A copy of a path's state that the other branch of an if does not see change. */
export const copy = (s: State): State => ({
  locals: new Map(s.locals),
  payload: s.payload,
  fields: new Map(s.fields),
  other: new Map(s.other),
  removed: new Set(s.removed),
  ...(s.topic ? { topic: s.topic } : {}),
  logs: [...s.logs],
  sets: [...s.sets],
  risky: [...s.risky],
});

/** The two states of an if's branches as one, each value picked by the branch condition. */
export const merge = (c: string, a: State, b: State): State => {
  const locals = new Map<string, Sym | null>();
  for (const name of new Set([...a.locals.keys(), ...b.locals.keys()])) {
    const [x, y] = [a.locals.get(name), b.locals.get(name)];
    locals.set(name, x && y ? pick(c, x, y) : null);
  }
  const fields = new Map<string, Sym>();
  for (const name of new Set([...a.fields.keys(), ...b.fields.keys()])) {
    const [x, y] = [a.fields.get(name), b.fields.get(name)];
    if (!x || !y) throw new Untranslatable(`msg.payload.${name} set on one branch of an if only`);
    fields.set(name, pick(c, x, y));
  }
  const other = new Map<string, Sym>();
  for (const name of new Set([...a.other.keys(), ...b.other.keys()])) {
    const [x, y] = [a.other.get(name), b.other.get(name)];
    if (!x || !y) throw new Untranslatable(`msg.${name} set on one branch of an if only`);
    other.set(name, pick(c, x, y));
  }
  if ([...a.removed].join() !== [...b.removed].join())
    throw new Untranslatable('a message property deleted on one branch of an if only');
  if ((a.topic === undefined) !== (b.topic === undefined))
    throw new Untranslatable('msg.topic set on one branch of an if only');
  const topic = a.topic && b.topic ? { topic: pick(c, a.topic, b.topic) } : {};
  if (JSON.stringify(a.logs) !== JSON.stringify(b.logs))
    throw new Untranslatable('logging inside an if whose branches both carry on');
  const sets = mergeSets(c, a.sets, b.sets);
  const risky = [...new Set([...a.risky, ...b.risky])];
  return {
    locals,
    payload: pick(c, a.payload, b.payload),
    fields,
    other,
    removed: a.removed,
    ...topic,
    logs: a.logs,
    sets,
    risky,
  };
};
