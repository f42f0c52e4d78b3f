/**
 * Function node code beyond ifs and returns: switch statements become the if chain they mean and
 * local functions are inlined where called. What they translate to is checked here; that the
 * result does what the JavaScript does is function.test.ts's differential run.
 */
import { describe, expect, it } from 'vitest';
import { importNodeRed } from '../../../../../shared/core/nodered/import';

const only = (func: string, outputs = 1) => {
  const r = importNodeRed([
    { id: 'tab', type: 'tab' },
    { id: 'fn', type: 'function', z: 'tab', func, outputs, wires: Array.from({ length: outputs }, () => []) },
  ]);
  return { r, nodes: r.flows[0]!.flow.nodes };
};
const reason = (func: string) => {
  const { r } = only(func);
  expect(r.placeholders).toBe(1);
  return r.notes.find((n) => n.severity === 'placeholder')!.message;
};

describe('switch statements', () => {
  it('compare strictly, share a body between labels and take default last wherever it stands', () => {
    const { r, nodes } = only(
      'switch (msg.payload) {\n  case "on":\n  case 1:\n    msg.payload = true;\n    break;\n  default:\n    msg.payload = null;\n    break;\n  case "off":\n    msg.payload = false;\n}\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    expect(nodes.map((n) => n.kind)).toEqual(['logic.transform']);
    expect(nodes[0]!.config.payload).toBe(
      '((payload == "on") || (payload == 1.0)) ? true : ((payload == "off") ? false : null)',
    );
  });

  it.each([
    [
      'switch (msg.payload) {\n  case 1:\n    msg.a = 1;\n  case 2:\n    msg.b = 2;\n    break;\n}\nreturn msg;',
      /falls through/,
    ],
    [
      'switch (msg.payload) {\n  case 1:\n    if (msg.x) break;\n    msg.a = 1;\n    break;\n}\nreturn msg;',
      /a break statement/,
    ],
    [
      'switch (msg.payload.a.b) {\n  default:\n    msg.a = 1;\n}\nreturn msg;',
      /a switch statement without a case/,
    ],
  ])('keeps %j a placeholder and says why', (func, why) => expect(reason(func)).toMatch(why));
});

describe('local functions', () => {
  it('are inlined with their parameters bound and early returns as a pick (corpus: heating-system isInt)', () => {
    const { r, nodes } = only(
      'function clamp(v, lo, hi) {\n  if (v < lo) return lo;\n  if (v > hi) return hi;\n  return v;\n}\nmsg.payload = clamp(msg.payload, 0, 30);\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    expect(nodes[0]!.config.payload).toBe(
      '(payload < 0.0) ? 0.0 : (((!(payload < 0.0)) && (payload > 30.0)) ? 30.0 : payload)',
    );
  });

  it('see variables of the code as they are when called, and arrow functions too', () => {
    const { nodes } = only(
      'var k = 2;\nconst f = (x) => x * k;\nk = 3;\nmsg.payload = f(msg.payload);\nreturn msg;',
    );
    expect(nodes[0]!.config.payload).toBe('payload * 3.0');
  });

  it.each([
    [
      'function f(n) { return n <= 1 ? 1 : n * f(n - 1); }\nmsg.payload = f(msg.payload);\nreturn msg;',
      /a recursive function/,
    ],
    [
      'var total = 0;\nfunction add(n) { total += n; return total; }\nmsg.payload = add(1);\nreturn msg;',
      /changes `total`, declared outside it/,
    ],
    ['function f(n) { node.warn(n); return n; }\nmsg.payload = f(1);\nreturn msg;', /a function that logs/],
    [
      'function f(n) { msg.x = n; return n; }\nmsg.payload = f(1);\nreturn msg;',
      /a function that changes the message/,
    ],
    [
      'function f(n) { if (n) return 1; }\nmsg.payload = f(msg.payload);\nreturn msg;',
      /may end without returning a value/,
    ],
    [
      'function f(a, b) { return a; }\nmsg.payload = f(1);\nreturn msg;',
      /called with 1 arguments where it takes 2/,
    ],
    [
      'function f(a = 1) { return a; }\nmsg.payload = f(2);\nreturn msg;',
      /default, rest or destructured parameters/,
    ],
    ['function f() { return; }\nmsg.payload = f();\nreturn msg;', /returns nothing/],
    [
      'function f(x) { return x; }\nfunction f(x) { return 1; }\nmsg.payload = f(2);\nreturn msg;',
      /`f` declared twice/,
    ],
  ])('keeps %j a placeholder and says why', (func, why) => expect(reason(func)).toMatch(why));
});

describe('Math.random()', () => {
  it('is one numbered draw per call, also in a function inlined twice', () => {
    const { r, nodes } = only(
      'function rnd(r) { return Math.floor(Math.random() * r); }\nmsg.payload = rnd(8) + "," + rnd(256);\nreturn msg;',
    );
    expect(r.converted).toBe(1);
    expect(nodes[0]!.config.payload).toBe(
      '(string(jsFloor((jsRandom(1)) * 8.0)) + ",") + string(jsFloor((jsRandom(2)) * 256.0))',
    );
    expect(r.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/uniform double in \[0, 1\)/));
  });

  it.each([
    ['var r = Math.random();\nmsg.payload = r < 0.5 ? "heads" : r;\nreturn msg;'],
    ['if (Math.random() < 0.5) return [msg, null];\nreturn [null, msg];'],
  ])('keeps %j, which reads one draw twice, a placeholder', (func) =>
    expect(reason(func)).toMatch(/a Math.random\(\) value read more than once/),
  );
});
