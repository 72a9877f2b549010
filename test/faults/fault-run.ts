// Shared by the fault tests that run the app in the test process: an approved request of `lines` new active
// users, driven through the wizard and the Approve modal, and the checks every such run must pass at its end.
import * as XLSX from 'xlsx';
import { expect } from 'vitest';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { readFirstAccessMails } from '../support/child-app.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import type { CapturedMessage } from '../support/smtp-capture.ts';
import type { TestApp } from '../support/test-app.ts';

export function activeUsersWorkbook(lines: number, prefix: string): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < lines; index += 1)
    rows.push(['Globex', `Person ${index}`, `${prefix}.${index}@globex.example`, 'Yes']);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** Catalog, wizard, card: the request is waiting for its approval. */
export async function requestAwaitingApproval(
  app: TestApp,
  input: { lines: number; channel: string; prefix: string },
): Promise<{ id: number; code: string }> {
  await seedCatalog(app.running.deps.db);
  const request = await createRequestThroughWizard(app, {
    requester: 'U0REQ0001',
    channel: input.channel,
    file: `${input.prefix}.xlsx`,
    bytes: activeUsersWorkbook(input.lines, input.prefix),
  });
  await app.slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === input.channel && String(call.args.text).includes('Access request'),
    30_000,
  );
  return request;
}

export function approveThroughModal(app: TestApp, requestId: number) {
  return app.slack.interactive({
    type: 'view_submission',
    user: { id: 'U0APPR001', team_id: 'T0TEAM001' },
    view: {
      id: 'VAPPROVE',
      type: 'modal',
      callback_id: 'request_approve_modal',
      private_metadata: JSON.stringify({ requestId }),
      state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
    },
  });
}

/** The end of a run that must have lost nothing: summary, request, lines, accesses, and the emails received. */
export async function expectCompleteRun(
  app: TestApp,
  input: { requestId: number; lines: number; messages: readonly CapturedMessage[]; maxDuplicates: number },
): Promise<void> {
  const db = app.running.deps.db;
  const successful = (method: string, predicate: (args: Record<string, unknown>) => boolean) =>
    app.slackApi
      .callsTo(method)
      .filter((call) => (call.response as { ok?: boolean } | undefined)?.ok === true && predicate(call.args));
  const summaries = successful('chat.postMessage', (args) => String(args['text']).startsWith('Summary'));
  expect(summaries).toHaveLength(1);
  const text = JSON.stringify(summaries[0]?.args['blocks']) + String(summaries[0]?.args['text']);
  expect(text).toContain(`Created: ${input.lines}`);
  expect(text).toContain('Errors: 0');
  expect(text).toContain(`Emails sent: ${2 * input.lines}`);
  expect(
    (
      await db
        .selectFrom('access_requests')
        .select('status')
        .where('id', '=', input.requestId)
        .executeTakeFirstOrThrow()
    ).status,
  ).toBe('completed');
  expect(await db.selectFrom('import_lines').select('line_number').where('outcome', '=', 'error').execute()).toEqual(
    [],
  );
  const accesses = await db
    .selectFrom('accesses')
    .select(['user_id', 'link_email_sent_at', 'token_email_sent_at', 'email_error'])
    .where('request_id', '=', input.requestId)
    .execute();
  expect(accesses).toHaveLength(input.lines);
  expect(new Set(accesses.map((access) => access.user_id)).size).toBe(input.lines);
  expect(
    accesses.filter((access) => access.link_email_sent_at && access.token_email_sent_at && !access.email_error),
  ).toHaveLength(input.lines);
  const mails = readFirstAccessMails(input.messages);
  expect(mails.links.size).toBe(input.lines);
  expect(mails.tokens.size).toBe(input.lines);
  const duplicates = input.messages.length - 2 * input.lines;
  expect(duplicates).toBeGreaterThanOrEqual(0);
  expect(duplicates).toBeLessThanOrEqual(input.maxDuplicates);
}
