/**
 * One expression statement of a Node-RED function node's code, run symbolically on a path's
 * state: an assignment to a local variable or a message property, an increment, `delete`, a
 * context set, and the node.warn/error/log/status/done calls. Anything else is refused.
 */
import type * as A from 'acorn';
import type { State } from './function-graph';
import { msgPathOf, translate, Untranslatable, type Scope } from './js-expr';
import { propertyNameProblem } from '../flow/catalog/message';

const LOG_LEVELS: Record<string, string> = { warn: 'warn', error: 'error', log: 'info', debug: 'debug' };
const FIELD = /^[A-Za-z0-9_-]{1,64}$/;

/** One expression statement: an assignment, an increment, or a call to node.warn/error/log/status/done. */
export const statement = (e: A.Expression, s: State, scope: Scope, change: (m: string) => void): void => {
  if (e.type === 'AssignmentExpression' || e.type === 'UpdateExpression') {
    const target = e.type === 'AssignmentExpression' ? e.left : e.argument;
    const op = e.type === 'AssignmentExpression' ? e.operator : e.operator === '++' ? '+=' : '-=';
    const right: A.Expression =
      e.type === 'AssignmentExpression'
        ? e.right
        : ({ type: 'Literal', value: 1, start: 0, end: 0, raw: '1' } as A.Literal);
    const rhs =
      op === '='
        ? right
        : ({
            type: 'BinaryExpression',
            operator: op.slice(0, -1),
            left: target,
            right,
            start: 0,
            end: 0,
          } as A.BinaryExpression);
    if (op !== '=' && !['+=', '-=', '*=', '/='].includes(op))
      throw new Untranslatable(`the \`${op}\` assignment`);
    const value = translate(rhs, scope);
    if (target.type === 'Identifier') {
      if (!s.locals.has(target.name))
        throw new Untranslatable(`an assignment to \`${target.name}\`, which is not a local variable`);
      s.locals.set(target.name, value);
      return;
    }
    const path = msgPathOf(target);
    if (!path) throw new Untranslatable('an assignment to something other than a local variable or msg');
    if (path[0] === 'payload' && path.length === 1) {
      s.payload = value;
      s.fields.clear();
    } else if (
      path[0] === 'payload' &&
      path.length === 2 &&
      s.payload.cel === 'payload' &&
      FIELD.test(path[1]!)
    )
      s.fields.set(path[1]!, value);
    else if (path[0] === 'payload') throw new Untranslatable(`an assignment to msg.${path.join('.')}`);
    else if (path.length > 1) throw new Untranslatable(`an assignment to msg.${path.join('.')}`);
    else if (path[0] === 'topic') {
      if (value.type !== 'string') throw new Untranslatable('msg.topic set to a value that may not be text');
      s.topic = value;
    } else {
      const problem = propertyNameProblem(path[0]!);
      if (problem) throw new Untranslatable(`msg.${path[0]} (${problem})`);
      s.other.set(path[0]!, value);
      s.removed.delete(path[0]!);
    }
    return;
  }
  if (e.type === 'UnaryExpression' && e.operator === 'delete') {
    const path = msgPathOf(e.argument);
    if (!path || path.length !== 1 || path[0] === 'payload' || path[0] === 'topic')
      throw new Untranslatable('a delete of something other than a whole message property');
    s.other.delete(path[0]!);
    s.removed.add(path[0]!);
    return;
  }
  if (e.type === 'CallExpression' && e.callee.type === 'MemberExpression' && !e.callee.computed) {
    const owner = e.callee.object.type === 'Identifier' ? e.callee.object.name : '';
    const name = e.callee.property.type === 'Identifier' ? e.callee.property.name : '';
    if (owner === 'node' && name === 'status') {
      change('Its node.status(…) badge was left out: Fieldgraph nodes show no status (runs show in traces).');
      return;
    }
    if (owner === 'node' && name === 'done' && e.arguments.length === 0) return;
    if ((owner === 'context' || owner === 'flow' || owner === 'global') && name === 'set') {
      const [key, value, ...more] = e.arguments;
      if (!key || !value || more.length || key.type !== 'Literal' || typeof key.value !== 'string')
        throw new Untranslatable(`a ${owner}.set() of a name picked at run time or into another store`);
      if (value.type === 'SpreadElement') throw new Untranslatable('a spread argument');
      scope.setContext(owner, key.value, translate(value, scope));
      return;
    }
    if (
      owner === 'node' &&
      LOG_LEVELS[name] &&
      e.arguments.length === 1 &&
      e.arguments[0]!.type !== 'SpreadElement'
    ) {
      const v = translate(e.arguments[0]!, scope);
      s.logs.push({ level: LOG_LEVELS[name]!, message: v.type === 'string' ? v.cel : `string(${v.cel})` });
      if (name === 'error')
        change('node.error(…) writes an error line to the log; it does not start an error trigger.');
      return;
    }
  }
  if (e.type === 'CallExpression') translate(e, scope);
  throw new Untranslatable(`a ${e.type} statement`);
};
