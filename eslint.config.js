// One lint for the workspace. Its import rules are design.md's boundaries, checked on every `pnpm test`
// (eslint.config.test.ts proves each one rejects a forbidden import). Style is Prettier's (.prettierrc.json).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Tests and their support code may reach anything (the sandbox, `my` doubles, Node). */
const TEST_FILES = ['**/*.test.ts', '**/test/**', 'miniapp/src/testing/**', 'bench/**', '**/vitest.config.ts', 'eslint.config.*'];

// Each restriction is a `no-restricted-imports` pattern over the import specifier (relative specifiers
// are matched by the path segments they name, e.g. `../channels/alipayhk/client`).
const SANDBOX = {
  regex: '^@tradepay/sandbox(/|$)|^(\\.\\./)+sandbox(/|$)',
  message: 'Production code never imports the sandbox (design.md, Boundaries); only tests and test support do.',
};
const NODE = {
  regex: `^node:|^(${builtinModules
    .filter((m) => !m.startsWith('_'))
    .join('|')
    .replaceAll('/', '\\/')})(/|$)`,
  message: 'shared/ is pure TypeScript for the BFF and the mini program: no Node modules.',
};
const FASTIFY = {
  regex: '^fastify(-|/|$)|^@fastify/',
  message: 'No Fastify here: the framework stays in app.ts and routes/ (design.md, Boundaries).',
};
const CHANNELS = {
  regex: '(^|/)channels(/|$)',
  message: 'Reach a channel through the Channel port (payments/channel.ts) and the registry wired in app.ts, never its folder.',
};

const ASYNC_HOOKS = {
  regex: '^(node:)?async_hooks$',
  message:
    'No AsyncLocalStorage or async_hooks: on Node 20 they hook every promise in the process. Pass the request id down (GatewayCall, payments/channel.ts).',
};

const HTTP_ERRORS = {
  regex: '(^|/)errors$',
  importNames: ['AppError', 'ERROR_CODES', 'ErrorCode'],
  message: 'Payment services answer outcomes (payments/outcomes.ts) with no HTTP status; routes map them (routes/refusals.ts).',
};

const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** `my` is the mini program runtime; only src/platform/ wraps it, so everything else stays testable. */
const NO_MY = {
  'no-restricted-globals': ['error', { name: 'my', message: 'Only miniapp/src/platform/ touches `my`: take the Platform it builds.' }],
  'no-restricted-properties': ['error', { object: 'globalThis', property: 'my', message: 'Only miniapp/src/platform/ touches `my`.' }],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', 'bff/data/**', 'coverage/**', 'bff/test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are the type-checker's business only where it already checks them.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // \`any\` marks a JSON answer read by an operator tool or a test; strict TypeScript checks the rest.
      '@typescript-eslint/no-explicit-any': 'off',
      // Input checks reject control characters on purpose (\u0000-\u001f).
      'no-control-regex': 'off',
      // Globals (process, setTimeout, my, document) are declared by each package's tsconfig types.
      'no-undef': 'off',
    },
  },

  { files: TEST_FILES, rules: { '@typescript-eslint/no-unsafe-function-type': 'off' } },

  // Boundaries. Flat config replaces (does not merge) a rule's options per file, so every block repeats
  // the sandbox restriction beside its own; the blocks' files do not overlap.
  { files: ['**/*.ts'], ignores: TEST_FILES, rules: { ...restrictImports(SANDBOX, ASYNC_HOOKS), ...NO_MY } },
  { files: ['sandbox/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['shared/src/**/*.ts'], ignores: TEST_FILES, rules: restrictImports(SANDBOX, NODE, FASTIFY) },
  {
    files: ['bff/src/payments/**/*.ts'],
    ignores: TEST_FILES,
    rules: restrictImports(SANDBOX, ASYNC_HOOKS, FASTIFY, CHANNELS, HTTP_ERRORS),
  },
  { files: ['bff/src/routes/**/*.ts'], ignores: TEST_FILES, rules: restrictImports(SANDBOX, ASYNC_HOOKS, CHANNELS) },
  { files: ['miniapp/src/platform/**/*.ts'], rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' } },
);
