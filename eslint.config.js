// Lint, and the layer rules of docs/architecture.md: a file's folder says where it runs, so
// each folder gets a `no-restricted-imports` block whose message says what to use instead.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnlyPackages = [
  'serialport',
  '@serialport/*',
  'bonjour-service',
  'multicast-dns',
  'mqtt',
  'aedes',
  'ws',
  'write-file-atomic',
];

const rule = (group, message) => ({ group, message });
const regexRule = (regex, message) => ({ regex, message });

const noNode = rule(
  nodeBuiltins,
  'Node built-ins are not available here. Put Node code in shared/node and reach it through the API contract (shared/core/api).',
);
const noNodePackages = rule(
  nodeOnlyPackages,
  'This package needs Node. Use it from shared/node and reach it through the API contract (shared/core/api).',
);
const noElectron = rule(
  ['electron', 'electron/*'],
  'Only electron/main and electron/preload may import electron. Inject the Electron object you need from electron/main.',
);
const noSharedNode = regexRule(
  '(^|/)(shared/)?node/',
  'shared/node is Node-only. Call it through the API contract (shared/core/api) or move platform-free code to shared/core.',
);
const noRenderer = regexRule(
  '(^|/)renderer/',
  'The renderer is the UI layer; nothing else may import it. Move shared code to shared/core.',
);
const noElectronFolder = regexRule(
  '(^|/)electron/(main|preload)/',
  'electron/ is the desktop shell; nothing else may import it. Move shared code to shared/core or shared/node.',
);
const noCli = regexRule('(^|/)cli/', 'cli/ is a program of its own; move shared code to shared/node.');
// The node catalog is code in shared/core and is imported; the library's documents are data the
// services read (built-in and the project's models/) and reach the window through the API.
const libraryViaApi =
  'The renderer gets the capability and device-model library through the API (library.documents; see renderer/src/flows/project-models.svelte.ts), never by bundling resources/library.';
const noLibraryFiles = regexRule('(^|/)resources/library(/|$)', libraryViaApi);

const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.fieldgraph/**',
      'resources/**/*',
      // The panel page's script is code for the browser the gateway serves as a file: linted.
      '!resources/panel/',
      '!resources/panel/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['shared/core/**'],
    rules: {
      'no-restricted-imports': restrict(
        noNode,
        noNodePackages,
        noElectron,
        noSharedNode,
        noRenderer,
        noElectronFolder,
        noCli,
      ),
    },
  },
  {
    files: ['shared/node/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': restrict(noElectron, noRenderer, noElectronFolder, noCli) },
  },
  {
    files: ['cli/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': restrict(noElectron, noRenderer, noElectronFolder) },
  },
  {
    files: ['electron/main/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': restrict(
        noRenderer,
        noCli,
        regexRule(
          '(^|/)electron/preload/',
          'The preload is bundled on its own; share code through shared/core.',
        ),
      ),
    },
  },
  {
    files: ['electron/preload/**'],
    rules: {
      'no-restricted-imports': restrict(
        noNode,
        noNodePackages,
        noSharedNode,
        noRenderer,
        noCli,
        regexRule(
          '(^|/)shared/core/(?!api(/|$))',
          'The preload may import only the API contract (shared/core/api): it exposes one function per method and nothing else.',
        ),
        regexRule(
          '(^|/)electron/main/',
          'The preload runs in the renderer process; it cannot import main-process code.',
        ),
      ),
    },
  },
  {
    files: ['resources/panel/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict(
        noNode,
        noNodePackages,
        noElectron,
        noSharedNode,
        noElectronFolder,
        noCli,
        noLibraryFiles,
      ),
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.type='MetaProperty'][callee.property.name=/^glob/] Literal[value=/resources\\/library/]",
          message: libraryViaApi,
        },
      ],
    },
  },
  {
    files: ['test/**', 'scripts/**', 'bin/**', '*.js', '*.ts', '*.mjs', 'renderer/*.config.*'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='only']",
          message: 'A focused test (.only) silences the rest of the suite; remove it before committing.',
        },
      ],
    },
  },
);
