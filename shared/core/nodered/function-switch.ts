/**
 * A `switch` statement of a Node-RED function node as the if/else chain it means: each case's
 * test is `discriminant === test` (JavaScript's switch compares strictly), labels sharing one body
 * (`case "a": case "b":`) are one test joined by `||`, and `default` is the last else wherever it
 * stands. Only switches whose every non-empty case ends in `break` or `return` (or is the last
 * one) are rewritten: a case that falls through into the next, or a `break` anywhere else, keeps
 * the code a placeholder with that reason.
 */
import type * as A from 'acorn';
import { Untranslatable } from './js-expr';

const at = { start: 0, end: 0 };

const strictEqual = (left: A.Expression, right: A.Expression): A.Expression =>
  ({ type: 'BinaryExpression', operator: '===', left, right, ...at }) as A.BinaryExpression;

const either = (tests: A.Expression[]): A.Expression =>
  tests.reduce(
    (l, r) => ({ type: 'LogicalExpression', operator: '||', left: l, right: r, ...at }) as A.Expression,
  );

/** The switch as nested if statements (the discriminant is read once per test: the translation is pure). */
export const switchAsIf = (s: A.SwitchStatement): A.Statement => {
  const groups: { tests: A.Expression[]; isDefault: boolean; body: A.Statement[] }[] = [];
  let pending: A.Expression[] = [];
  let pendingDefault = false;
  s.cases.forEach((c, i) => {
    if (c.test) pending.push(c.test);
    else pendingDefault = true;
    const last = i === s.cases.length - 1;
    if (c.consequent.length === 0 && !last) return;
    const body = [...c.consequent];
    const end = body[body.length - 1];
    if (end?.type === 'BreakStatement') {
      if (end.label) throw new Untranslatable('a labelled break');
      body.pop();
    } else if (end?.type !== 'ReturnStatement' && !last)
      throw new Untranslatable('a switch case that falls through into the next');
    groups.push({ tests: pending, isDefault: pendingDefault, body });
    pending = [];
    pendingDefault = false;
  });
  // The discriminant is read by the first test; a switch without one would drop a read that may throw.
  if (!groups.some((g) => !g.isDefault)) throw new Untranslatable('a switch statement without a case');
  const fallback = groups.find((g) => g.isDefault);
  // A default sharing a body with cases is that body whatever the cases test.
  const chain = groups.filter((g) => !g.isDefault);
  let tail: A.Statement | null = fallback ? { type: 'BlockStatement', body: fallback.body, ...at } : null;
  for (const g of chain.reverse())
    tail = {
      type: 'IfStatement',
      test: either(g.tests.map((t) => strictEqual(s.discriminant, t))),
      consequent: { type: 'BlockStatement', body: g.body, ...at },
      alternate: tail,
      ...at,
    } as A.IfStatement;
  return tail!;
};
