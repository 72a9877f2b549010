// Lint rules: typescript-eslint's type-checked recommended set (no floating or misused promises: a listener
// that forgets an await loses its error), no import cycles, plus the habits of STYLE.md a linter can check.
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-output/', 'test-artifacts/', 'bench/results/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      // Dependencies are not parsed: a cycle can only be ours, and some bundles (PGlite's) overflow the parser.
      'import-x/ignore': ['node_modules'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Enums are not erasable; use a union of string literals.' },
        // Their index modules load every function (about 250 modules for date-fns): the burst of short-lived
        // garbage that makes raised the app's resident memory by more than 100 MB at start (README, Benchmarks).
        // A syntax rule rather than no-restricted-imports, which the layer rules below set per folder.
        {
          selector:
            'ImportDeclaration[source.value=/^date-fns(-tz)?$/], ImportExpression[source.value=/^date-fns(-tz)?$/]',
          message: "Import the function's own module: import { addDays } from 'date-fns/addDays'.",
        },
      ],
      'no-console': 'error',
      // Type imports count: a cycle of types still ties two modules' designs together.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A longer function needs a comment saying why (eslint-disable-next-line max-lines-per-function -- why).
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Vitest's asymmetric matchers (expect.stringContaining, expect.any, …) are typed `any`, and tests take
    // functions out of the helpers they build; the unsafe-any rules would flag every such assertion.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // A test is a scenario told in order; its length is the story's.
      'max-lines-per-function': 'off',
    },
  },
  {
    // This file is plain JavaScript outside the TypeScript project.
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The layers (STYLE.md, README "Project map"): the domain imports no I/O; use cases reach Slack, spreadsheets and
  // the web only through ports; jobs call use cases and never the Slack adapter. Type-only imports are allowed
  // where a layer names a shape another one defines (a row type, a spreadsheet's rows).
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'pg',
                'kysely',
                'pg-boss',
                '@slack/*',
                'nodemailer',
                '@electric-sql/*',
                'yaml',
                'xlsx',
                '../db/*',
                '../slack/*',
                '../jobs/*',
                '../mail/*',
                '../usecases/*',
                '../catalog-file/*',
                '../spreadsheet/*',
                '../web/*',
              ],
              message: 'The domain is pure: no I/O imports.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/usecases/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', 'xlsx', '../slack/*', '../web/*'],
              message:
                'Use cases reach Slack and the web through ports (notifier.ts, import-files.ts), never directly.',
            },
            {
              group: ['../spreadsheet/*'],
              message: 'Use cases read and write spreadsheets through the Spreadsheets port (spreadsheets.ts).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/slack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../db/*', '../../db/*', '../db/repos/*', '../../db/repos/*'],
              message:
                'The Slack adapter reads and writes nothing itself: call a use case (row types may be imported).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', '../slack/*', '../web/*'],
              message: 'Jobs call use cases; what they tell people goes through the Notifier port.',
            },
          ],
        },
      ],
    },
  },
);
