/**
 * Inputs of the function differential test (function.test.ts) written here, not taken from the
 * corpus: function code for forms the corpus has too few of to be run both ways (each a list of
 * [id, code, setup code]), and the payloads every converted function runs with.
 */

/** Function code, without setup code. */
export const SYNTHETIC: readonly (readonly [string, string])[] = [
  [
    'typeof',
    'if (typeof msg.payload === "string") { msg.kind = "text"; return msg; }\nif (typeof msg.payload === "object") { msg.kind = "object"; return msg; }\nif (typeof msg.command !== "undefined" && typeof msg.command == "number") return msg;\nreturn null;',
  ],
  [
    'props',
    'if (msg.command === "on") { msg.payload = msg.level; delete msg.command; return msg; }\nmsg.seen = msg.command !== "off";\nreturn msg;',
  ],
  ['counter', 'var n = context.get("n") || 0;\nn += 1;\ncontext.set("n", n);\nmsg.count = n;\nreturn msg;'],
  [
    'loose',
    'if (msg.payload == 1 || msg.payload == "on") { msg.on = true; return msg; }\nif (msg.payload != "off" && msg.level == 0) return [null, msg];\nif (msg.payload.a == null) return [null, msg];\nreturn null;',
  ],
  [
    'undefined',
    'if (msg.level === undefined) { msg.none = true; return msg; }\nif (msg.payload.a !== undefined) { msg.a = msg.payload.a; return msg; }\nif (undefined == msg.payload[0]) return null;\nmsg.first = msg.payload[0];\nreturn msg;',
  ],
  [
    'numbers',
    'var n = parseInt(msg.payload);\nvar f = parseFloat(msg.payload);\nif (isNaN(n)) { node.warn("not a number: " + msg.payload); return null; }\nmsg.payload = { n: n, f: Math.round(f * 10) / 10, r: n % 3, big: Math.max(n, f, 2), num: Number(msg.level) };\nreturn msg;',
  ],
  [
    'text',
    'var t = msg.payload.toString().trim().toUpperCase();\nmsg.state = t.startsWith("O") && t.includes("N") ? t.split("N") : [];\nmsg.payload = { text: t, json: JSON.stringify(msg.payload), fixed: msg.level ? Number(msg.level).toFixed(1) : "-", keys: Object.keys(msg.payload).length, list: Array.isArray(msg.payload) };\nreturn msg;',
  ],
  [
    'json',
    'if (typeof msg.payload !== "string") return null;\nvar data = JSON.parse(msg.payload);\nif (data && data.temp > 20) { msg.payload = data.temp; return [msg, null]; }\nreturn [null, msg];',
  ],
  [
    'truthy',
    'var x = Number(msg.payload);\nmsg.truthy = x ? "yes" : "no";\nmsg.raw = msg.payload ? 1 : 0;\nreturn msg;',
  ],
  [
    'lookup',
    'var names = { on: "An", off: "Aus" };\nif (msg.payload.length > 2) msg.label = names[msg.payload] || "?";\nelse msg.label = msg.payload[0];\nmsg.size = msg.payload.length;\nreturn msg;',
  ],
  [
    'lists',
    'if (!Array.isArray(msg.payload)) return null;\nmsg.doubled = msg.payload.map(x => x * 2);\nmsg.big = msg.payload.filter(function (x) { return x > 1; });\nmsg.any = msg.payload.some(x => x);\nmsg.all = msg.payload.every(x => typeof x === "number");\nreturn msg;',
  ],
  [
    'listsOfAnything',
    'msg.texts = msg.payload.map(x => String(x));\nmsg.n = msg.payload.filter(x => x).length;\nreturn msg;',
  ],
  // switch: grouped labels, strict equality (1 is not "1"), default in the middle, a case returning.
  [
    'switch',
    'switch (msg.payload) {\n  case "on":\n  case 1:\n    msg.state = true;\n    break;\n  default:\n    msg.state = "other";\n    break;\n  case "off":\n    msg.state = false;\n    break;\n  case 0:\n    return null;\n}\nreturn msg;',
  ],
  [
    'switch-property',
    'switch (msg.command) {\n  case "up": msg.payload = 1; return [msg, null];\n  case "down": msg.payload = -1; return [null, msg];\n}\nreturn null;',
  ],
  // Local functions, inlined: a declaration (corpus: heating-system isInt), early returns, an arrow
  // function, a function with a switch returning per case (corpus: HA Events getConfigValue).
  [
    'inline',
    'function isInt(n) { return Number(n) === n && n % 1 === 0; }\nfunction clamp(v, lo, hi) {\n  if (v < lo) return lo;\n  if (v > hi) return hi;\n  return v;\n}\nconst label = (x) => x > 20 ? "warm" : "cold";\nif (!isInt(msg.payload)) return null;\nmsg.payload = clamp(msg.payload, 0, 30);\nmsg.label = label(msg.payload);\nreturn msg;',
  ],
  [
    'inline-switch',
    'const valueOf = (kind, state) => {\n  switch (kind) {\n    case "boolean":\n      return state === "on";\n    case "number":\n      return parseInt(state);\n  }\n  return state;\n};\nif (typeof msg.payload !== "string") return null;\nmsg.value = valueOf(msg.payload.split("_")[0], msg.payload.split("_")[1] || "");\nreturn msg;',
  ],
  // Math.random(): a draw per call, also inside an inlined function called twice (corpus: unicorn rnd).
  [
    'random',
    'function rnd(r) { return Math.floor(Math.random() * r); }\nif (Math.random() < msg.level) return null;\nmsg.payload = rnd(8) + "," + rnd(256);\nreturn msg;',
  ],
];

/** Global context and setup code. */
export const WITH_SETUP: readonly (readonly [string, string, string])[] = [
  [
    'global-counter',
    'var n = global.get("total") || 0;\nif (msg.payload === 1) n += 1;\nglobal.set("total", n);\nmsg.total = n;\nreturn msg;',
    '',
  ],
  [
    'global-dotted',
    'var x = global.get("conf.events.x");\nif (x === undefined) return null;\nmsg.x = x;\nreturn msg;',
    '',
  ],
  [
    'setup-seed',
    'var n = context.get("n");\ncontext.set("n", n + 1);\nmsg.n = n;\nmsg.mode = global.get("mode");\nreturn msg;',
    'if (context.get("n") === undefined) {\n  context.set("n", 0);\n}\nglobal.set("mode", "home");\nflow.set("level", 1);',
  ],
];

/** The payloads every converted function runs with. */
export const PAYLOADS: unknown[] = [
  0,
  1,
  2,
  5,
  15,
  16,
  31,
  32,
  40,
  -3,
  2.5,
  '',
  'on',
  'off',
  '1',
  'abc',
  'from: 0123 sip',
  true,
  false,
  null,
  {},
  { hue: 0 },
  { hue: 60 },
  { hue: 240 },
  { a: 1, b: 'x' },
  [1, 2],
  [{ address: '1.2.3.4' }],
  // Where JavaScript's coercions and CEL's types part: numbers as text, empty and nested lists,
  // NaN, and objects whose properties are null.
  '2.5',
  ' 7 ',
  '0x10',
  '1e3',
  NaN,
  [],
  [[]],
  ['on'],
  [null],
  { a: null },
];
