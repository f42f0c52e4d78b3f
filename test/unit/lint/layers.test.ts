import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules must bind: plant violating imports in a temporary copy of the lint setup
// and check the real config rejects them with a message that says what to do instead.
const root = resolve('.');
let copy: string;
let eslint: ESLint;

const plant = async (file: string, source: string) => {
  const path = join(copy, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source);
  const [result] = await eslint.lintFiles([path]);
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
};

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'fg-lint-'));
  cpSync(join(root, 'eslint.config.js'), join(copy, 'eslint.config.js'));
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  eslint = new ESLint({ cwd: copy });
}, 30_000);

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('layer rules (eslint no-restricted-imports)', () => {
  const cases: [string, string, RegExp][] = [
    ['shared/core/planted.ts', "import { readFileSync } from 'node:fs';", /Put Node code in shared\/node/],
    ['shared/core/planted.ts', "import path from 'path';", /Node built-ins are not available here/],
    ['shared/core/planted.ts', "import mqtt from 'mqtt';", /Use it from shared\/node/],
    ['shared/core/model/planted.ts', "import { x } from '../../node/paths';", /shared\/node is Node-only/],
    ['shared/core/planted.ts', "import { x } from '../../renderer/src/api';", /nothing else may import it/],
    [
      'renderer/src/planted.ts',
      "import { ipcRenderer } from 'electron';",
      /Only electron\/main and electron\/preload/,
    ],
    ['renderer/src/planted.ts', "import { SerialPort } from 'serialport';", /This package needs Node/],
    ['renderer/src/planted.ts', "import { x } from '../../shared/node/paths';", /shared\/node is Node-only/],
    ['shared/node/planted.ts', "import { app } from 'electron';", /Inject the Electron object/],
    ['cli/planted.ts', "import { x } from '../renderer/src/api';", /The renderer is the UI layer/],
    [
      'electron/preload/planted.ts',
      "import { x } from '../../shared/core/errors';",
      /may import only the API contract/,
    ],
    ['electron/preload/planted.ts', "import { readFileSync } from 'node:fs';", /Node built-ins/],
    [
      'electron/main/planted.ts',
      "import { x } from '../../renderer/src/api';",
      /The renderer is the UI layer/,
    ],
  ];

  it.each(cases)('%s: %s is rejected', async (file, source, message) => {
    const messages = await plant(file, `${source}\n`);
    const restricted = messages.filter((m) => m.rule === 'no-restricted-imports');
    expect(restricted.length, JSON.stringify(messages)).toBe(1);
    expect(restricted[0].message).toMatch(message);
  });

  it('keeps resources/library out of the renderer: it comes through the API', async () => {
    const planted = [
      "import lamp from '../../resources/library/models/tasmota-relay.json';",
      "const files = import.meta.glob('../../resources/library/capabilities/*.json', { eager: true });",
    ];
    for (const source of planted) {
      const messages = await plant('renderer/src/planted.ts', `${source}\n`);
      const refused = messages.filter((m) => /library\.documents/.test(m.message));
      expect(refused.length, JSON.stringify(messages)).toBe(1);
    }
    const elsewhere = await plant(
      'renderer/src/elsewhere.ts',
      "const icons = import.meta.glob('./icons/*.svg', { eager: true });\n",
    );
    expect(elsewhere.filter((m) => /library\.documents/.test(m.message))).toEqual([]);
  });

  it('accepts the imports each layer is allowed', async () => {
    const allowed: [string, string][] = [
      ['shared/core/ok.ts', "import { Type } from '@sinclair/typebox';"],
      ['shared/node/ok.ts', "import { readFileSync } from 'node:fs';\nimport { ok } from '../core/result';"],
      [
        'electron/main/ok.ts',
        "import type { App } from 'electron';\nimport { x } from '../../shared/node/paths';",
      ],
      [
        'electron/preload/ok.ts',
        "import { contextBridge } from 'electron';\nimport { x } from '../../shared/core/api/ipc';",
      ],
      ['renderer/src/ok.ts', "import { x } from '../../shared/core/result';"],
    ];
    for (const [file, source] of allowed) {
      const messages = await plant(file, source);
      expect(
        messages.filter((m) => m.rule === 'no-restricted-imports'),
        `${file}: ${JSON.stringify(messages)}`,
      ).toEqual([]);
    }
  });

  it('bans focused tests', async () => {
    // Built from parts so this file itself holds no focused call for other tools to flag.
    const focused = (callee: string) => `${callee}.${'only'}('x', () => {});`;
    for (const source of [focused('it'), focused('describe'), focused('test.describe')]) {
      const messages = await plant('test/unit/planted.test.ts', `${source}\n`);
      expect(
        messages.some((m) => m.rule === 'no-restricted-syntax' && /focused test/.test(m.message)),
        source,
      ).toBe(true);
    }
  });
});
