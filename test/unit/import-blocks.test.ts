// The import flow's messages (README "Importing users"): counts of spreadsheet lines that add up, the summary's
// counts as section fields, lines a retry can fix apart from errors in the data, "…and N more" after a cut list,
// progress counted in users, and every piece of user text escaped for mrkdwn in the blocks and in `text`.
import { describe, expect, it } from 'vitest';
import type { LineError } from '../../src/db/schema.ts';
import { describeDryRunCounts, describeFinalCounts } from '../../src/domain/import-counts.ts';
import { formatErrorLine } from '../../src/domain/import-lines.ts';
import type { ImportCounts } from '../../src/domain/import-lines.ts';
import {
  buildCheckFailedMessage,
  buildDecidedPreviewMessage,
  buildPreviewMessage,
  buildPreviewModal,
  buildProvisioningSummaryMessage,
  buildSummaryMessage,
  progressText,
  provisioningDoneText,
} from '../../src/slack/blocks/import-blocks.ts';
import type { PreviewInput } from '../../src/slack/blocks/import-blocks.ts';
import { escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.ts';
import { RETRY_FAILED_ACTION } from '../../src/slack/ids.ts';
import type { ProvisioningSummaryInput } from '../../src/usecases/notifier.ts';
import { checkMessage, checkView } from '../support/block-kit-limits.ts';

const HOSTILE_VENDOR = '*Acme* <!channel>';
const HOSTILE_FILE = '_x_ ~y~ <!here>.xlsx';

function errorLines(count: number, first = 2, error?: Partial<LineError>) {
  return Array.from({ length: count }, (_, index) => ({
    lineNumber: first + index,
    errors: [{ column: 'Vendor', value: HOSTILE_VENDOR, message: 'not an existing vendor', ...error }],
  }));
}

function preview(counts: ImportCounts, fileName = 'people.xlsx'): PreviewInput {
  return {
    import: { id: 7, code: 'IMP-000007', file_name: fileName, unknown_columns: [] },
    counts,
    errorLines: errorLines(Math.min(counts.error, 10)),
    resultsAttached: counts.error > 10,
  };
}

/** The numbers of "8 will be created (6 active, 2 inactive)"-like lines, in order. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/\d+/g)].map((match) => Number(match[0]));
}

function everyText(message: { text: string; blocks: unknown[] }): string {
  return JSON.stringify(message.blocks) + message.text;
}

function sectionFields(blocks: unknown[]): string[] {
  const withFields = blocks.find(
    (block): block is { fields: Array<{ text: string }> } =>
      typeof block === 'object' && block !== null && 'fields' in block,
  );
  return withFields?.fields.map((field) => field.text) ?? [];
}

const counts: ImportCounts = { lines: 40, created: 26, created_inactive: 5, existing: 3, error: 6 };

describe('the preview', () => {
  it('counts spreadsheet lines, and what becomes of them adds up to the lines', () => {
    const [lines, created, existing, errors] = describeDryRunCounts(counts);
    expect(lines).toBe('40 lines');
    expect(created).toBe('31 will be created (26 active, 5 inactive)');
    expect(existing).toBe('3 existing (already registered, not updated)');
    expect(errors).toBe('6 errors');
    const [willBeCreated = 0, active = 0, inactive = 0] = numbersIn(created ?? '');
    expect(active + inactive).toBe(willBeCreated);
    expect(willBeCreated + (numbersIn(existing ?? '')[0] ?? 0) + (numbersIn(errors ?? '')[0] ?? 0)).toBe(40);
    // "Inactive" is not counted a second time beside "will be created".
    expect(describeDryRunCounts(counts).filter((line) => line.includes('inactive'))).toHaveLength(1);
    const message = buildPreviewMessage(preview(counts));
    for (const line of describeDryRunCounts(counts)) expect(everyText(message)).toContain(line);
  });

  it('ends a cut list of errors with "…and N more", N the lines not shown', () => {
    const many = { ...counts, created: 0, created_inactive: 0, existing: 0, error: 40 };
    const message = buildPreviewMessage(preview(many));
    expect(everyText(message)).toContain('…and 30 more: every line is in IMP-000007-results.xlsx, attached.');
    expect(checkMessage(message)).toEqual([]);
  });

  it('escapes the file name and the error values, in the blocks and in the notification text', () => {
    const input = preview(counts, HOSTILE_FILE);
    for (const message of [buildPreviewMessage(input), buildDecidedPreviewMessage(input, 'Cancelled')]) {
      const text = everyText(message);
      expect(text).toContain(JSON.stringify(escapeMrkdwn(HOSTILE_FILE)).slice(1, -1));
      expect(message.text).toContain(escapeMrkdwn(HOSTILE_FILE));
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<!here>');
    }
    const errorLine = escapeMrkdwn(formatErrorLine(2, errorLines(1)[0]!.errors[0]!));
    expect(JSON.stringify(buildPreviewMessage(input).blocks)).toContain(JSON.stringify(errorLine).slice(1, -1));
    const modal = buildPreviewModal(input);
    expect(JSON.stringify(modal)).not.toContain('<!channel>');
    expect(checkView(modal)).toEqual([]);
    const refused = buildCheckFailedMessage(HOSTILE_FILE, 'IMP-000007', 'no column <!channel>');
    expect(everyText(refused)).not.toContain('<!channel>');
    expect(everyText(refused)).not.toContain('<!here>');
  });
});

describe('the summary', () => {
  it('gives the counts of lines as section fields that add up to the lines, "Created: 8" style', () => {
    const message = buildSummaryMessage({
      import: { code: 'IMP-000007', file_name: HOSTILE_FILE },
      counts,
      errorLines: errorLines(6),
      resultsAttached: true,
    });
    expect(message.text.startsWith('Summary')).toBe(true);
    const fields = sectionFields(message.blocks);
    expect(fields).toEqual(describeFinalCounts(counts));
    expect(fields).toContain('Created: 26');
    const [lines, ...parts] = fields.map((field) => numbersIn(field)[0] ?? 0);
    expect(parts.reduce((sum, part) => sum + part, 0)).toBe(lines);
    expect(everyText(message)).not.toContain('<!');
    expect(message.text).toContain(escapeMrkdwn(HOSTILE_FILE));
    expect(checkMessage(message)).toEqual([]);
  });

  function provisioning(overrides: Partial<ProvisioningSummaryInput> = {}): ProvisioningSummaryInput {
    return {
      import: { code: 'IMP-000007', file_name: HOSTILE_FILE },
      requestCode: 'W000003',
      counts,
      errorLines: errorLines(4, 30),
      refusedLines: errorLines(2, 10, { column: 'Email', value: 'a@x.example', message: 'the mail server refused it' }),
      refusedCount: 2,
      resultsAttached: true,
      extraLines: ['Accesses created: 24', 'Emails sent: 48', 'Status: Completed with errors'],
      retryRequestId: 3,
      ...overrides,
    };
  }

  it('separates the lines a retry can fix from the errors in the data, and offers Retry failed lines', () => {
    const message = buildProvisioningSummaryMessage(provisioning());
    expect(message.text.startsWith('Summary · W000003 · IMP-000007')).toBe(true);
    const fields = sectionFields(message.blocks);
    expect(fields).toContain('Errors: 6');
    expect(fields).toContain('Accesses created: 24');
    expect(fields.length).toBeLessThanOrEqual(10);
    const sections = message.blocks.map((block) => JSON.stringify(block));
    const refused = sections.find((text) => text.includes('Refused by the mail server: 2'));
    const data = sections.find((text) => text.includes('Errors in the data: 4'));
    expect(refused).toContain('line 10 · Email');
    expect(refused).not.toContain('line 30');
    expect(data).toContain('line 30 · Vendor');
    expect(data).not.toContain('line 10');
    expect(JSON.stringify(message.blocks)).toContain(RETRY_FAILED_ACTION);
    expect(checkMessage(message)).toEqual([]);
  });

  it('shows at most 20 error lines in all, each cut list ending with "…and N more"', () => {
    const many = { ...counts, created: 0, created_inactive: 0, existing: 0, lines: 530, error: 530 };
    const message = buildProvisioningSummaryMessage(
      provisioning({
        counts: many,
        refusedLines: errorLines(20, 2, { column: 'Email', message: 'the mail server refused it: '.padEnd(400, 'x') }),
        refusedCount: 30,
        errorLines: errorLines(20, 100),
      }),
    );
    const text = JSON.stringify(message.blocks);
    expect(text.match(/line \d+ · /g)?.length).toBeLessThanOrEqual(20);
    expect(text).toMatch(/…and \d+ more/);
    const shownRefused = text.match(/line \d+ · Email/g)?.length ?? 0;
    expect(text).toContain(`…and ${30 - shownRefused} more`);
    // What the refused lines leave of the 20 goes to the errors in the data.
    const shownData = text.match(/line \d+ · Vendor/g)?.length ?? 0;
    expect(shownData).toBeGreaterThan(0);
    expect(shownRefused + shownData).toBe(20);
    expect(text).toContain(`…and ${500 - shownData} more`);
    expect(checkMessage(message)).toEqual([]);
  });

  it('has no retry button and no refused section when nothing was refused', () => {
    const { retryRequestId: _unused, ...input } = provisioning({
      refusedLines: [],
      refusedCount: 0,
      counts: { ...counts, error: 4 },
    });
    const message = buildProvisioningSummaryMessage(input);
    expect(JSON.stringify(message.blocks)).not.toContain(RETRY_FAILED_ACTION);
    expect(JSON.stringify(message.blocks)).not.toContain('Refused by the mail server');
    expect(JSON.stringify(message.blocks)).toContain('Errors in the data: 4');
  });
});

describe('the provisioning summary with users the approvers excluded', () => {
  const excludedLine = (lineNumber: number) => ({
    lineNumber,
    name: `${HOSTILE_VENDOR} ${'n'.repeat(300)}`,
    email: `user.${lineNumber}@acme.example`,
    vendorName: HOSTILE_VENDOR,
    exclusions: [
      { excludedBy: 'U0APPR001', reason: `<!here> ${'r'.repeat(3000)}` },
      { excludedBy: 'U0APPR002', reason: 'No *contract*' },
    ],
  });

  it('counts them apart (the counts still add up to Lines) and lists who excluded each and why, within limits', () => {
    const counts = { lines: 600, created: 60, created_inactive: 0, existing: 0, excluded: 540, error: 0 };
    const message = buildProvisioningSummaryMessage({
      import: { code: 'IMP-000007', file_name: HOSTILE_FILE },
      requestCode: 'W000003',
      counts,
      errorLines: [],
      refusedLines: [],
      refusedCount: 0,
      resultsAttached: true,
      extraLines: ['Accesses created: 60', 'Emails sent: 120', 'Status: Completed'],
      excludedLines: Array.from({ length: 20 }, (_, index) => excludedLine(index + 2)),
    });
    expect(checkMessage(message)).toEqual([]);
    const fields = sectionFields(message.blocks);
    expect(fields.slice(0, 6)).toEqual([
      'Lines: 600',
      'Created: 60',
      'Created inactive: 0',
      'Existing: 0',
      'Excluded: 540',
      'Errors: 0',
    ]);
    const excluded = JSON.stringify(message.blocks.find((block) => JSON.stringify(block).includes('Excluded by')));
    expect(excluded).toContain('Excluded by the approvers: 540');
    expect(excluded).toContain('line 2 · ');
    expect(excluded).toContain('— excluded by <@U0APPR001>: ');
    expect(excluded).toContain('<@U0APPR002>: \\"No \u2060*contract*\\"');
    expect(excluded).toMatch(/…and \d+ more/);
    expect(everyText(message)).not.toContain('<!here>');
    expect(everyText(message)).not.toContain('<!channel>');
  });

  it('leaves them out when nobody was excluded', () => {
    const message = buildProvisioningSummaryMessage({
      import: { code: 'IMP-000007', file_name: 'people.xlsx' },
      requestCode: 'W000003',
      counts: { lines: 2, created: 2, created_inactive: 0, existing: 0, excluded: 0, error: 0 },
      errorLines: [],
      refusedLines: [],
      refusedCount: 0,
      resultsAttached: true,
      extraLines: [],
    });
    expect(sectionFields(message.blocks).join(' ')).not.toContain('Excluded');
    expect(JSON.stringify(message.blocks)).not.toContain('excluded');
  });
});

describe("progress and the requester's message", () => {
  it('counts users in the Processing message, never lines', () => {
    const text = progressText({ code: 'W000003', done: 120, total: 900, emailsSent: 238, errors: 2 });
    expect(text).toBe('Processing W000003 · 120 of 900 users done · 238 emails sent · 2 refused by the mail server');
    expect(text).not.toContain('line');
    expect(progressText({ code: 'W000003', done: 1, total: 1, emailsSent: 2, errors: 0 })).toBe(
      'Processing W000003 · 1 of 1 user done · 2 emails sent',
    );
  });

  it("escapes the file name in the requester's direct message", () => {
    const text = provisioningDoneText({
      code: 'W000003',
      fileName: HOSTILE_FILE,
      statusWord: 'Completed',
      accesses: 3,
      emailsSent: 6,
      errorLines: 1,
    });
    expect(text).toContain(escapeMrkdwn(HOSTILE_FILE));
    expect(text).not.toContain('<!here>');
    expect(text).toContain('1 line in error');
  });
});
