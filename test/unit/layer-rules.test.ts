// The layer rules of eslint.config.js hold: each one refuses a violation planted in a real file of its layer,
// and the same files as they are pass. (Type information is off here: these rules do not need it.)
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({
  overrideConfig: [
    { files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked },
    { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, project: null } } },
  ],
});

async function ruleMessages(
  filePath: string,
  planted: string,
): Promise<Array<{ ruleId: string | null; message: string }>> {
  const text = `${readFileSync(filePath, 'utf8')}\n${planted}\n`;
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

const violations: Array<{ layer: string; filePath: string; planted: string; rule: string }> = [
  { layer: 'the domain', filePath: 'src/domain/approval.ts', planted: "import 'pg';", rule: 'no-restricted-imports' },
  {
    layer: 'the domain',
    filePath: 'src/domain/approval.ts',
    planted: "import { findImportById } from '../db/repos/import-repo.ts';\nvoid findImportById;",
    rule: 'no-restricted-imports',
  },
  {
    layer: 'use cases',
    filePath: 'src/usecases/decide-request.ts',
    planted: "import { createSlackNotifier } from '../slack/slack-notifier.ts';\nvoid createSlackNotifier;",
    rule: 'no-restricted-imports',
  },
  {
    layer: 'use cases',
    filePath: 'src/usecases/decide-request.ts',
    planted:
      "import { readSpreadsheetOffThread } from '../spreadsheet/read-off-thread.ts';\nvoid readSpreadsheetOffThread;",
    rule: 'no-restricted-imports',
  },
  {
    layer: 'jobs',
    filePath: 'src/jobs/workers.ts',
    planted: "import { uploadFile } from '../slack/slack-files.ts';\nvoid uploadFile;",
    rule: 'no-restricted-imports',
  },
  {
    layer: 'the Slack adapter',
    filePath: 'src/slack/commands/import-command.ts',
    planted: "import { findImportById } from '../../db/repos/import-repo.ts';\nvoid findImportById;",
    rule: 'no-restricted-imports',
  },
  {
    // request-notices.ts imports request-deadlines.ts: importing it back closes a cycle.
    layer: 'any module',
    filePath: 'src/usecases/request-deadlines.ts',
    planted: "import './request-notices.ts';",
    rule: 'import-x/no-cycle',
  },
];

describe('the layer rules', () => {
  it.each(violations)(
    'refuse a planted violation in $layer ($rule, $filePath)',
    async ({ filePath, planted, rule }) => {
      const messages = await ruleMessages(filePath, planted);
      expect(messages.map((message) => message.ruleId)).toContain(rule);
    },
  );

  it('accept the files as they are', async () => {
    for (const filePath of new Set(violations.map((violation) => violation.filePath))) {
      const messages = await ruleMessages(filePath, '');
      expect(
        messages.filter(
          (message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'import-x/no-cycle',
        ),
        filePath,
      ).toEqual([]);
    }
  });
});
