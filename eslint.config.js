// Lint rules: typescript-eslint's recommended set, plus the habits of STYLE.md a linter can check.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-output/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Enums are not erasable; use a union of string literals.' },
      ],
      'no-console': 'error',
    },
  },
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
                '../db/*',
                '../slack/*',
                '../jobs/*',
                '../mail/*',
                '../usecases/*',
              ],
              message: 'The domain is pure: no I/O imports.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
