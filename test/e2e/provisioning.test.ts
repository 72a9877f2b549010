// Provisioning after approval (README "Importing users", Provisioning): exactly two emails per created line and none
// for the others, progress in the thread, a summary whose counts match and a results spreadsheet with the access ids; a
// 550 for one recipient puts exactly that line in error, with the server's reply.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION, RETRY_FAILED_ACTION } from '../../src/slack/ids.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { waitFor } from '../support/wait-for.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

const CHANNEL = 'C0PROVISION';
const captures: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const capture of captures.splice(0)) await capture.close();
});

/** 40 lines: 30 active (created), 5 inactive, 5 in error. */
function mixedWorkbook(): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < 40; index += 1) {
    const kind = index < 30 ? 'active' : index < 35 ? 'inactive' : 'error';
    rows.push([
      'Globex',
      `Person <b>${index}</b>`,
      kind === 'error' ? `broken-${index}@` : `person.${index}@globex.example`,
      kind === 'inactive' ? 'No' : 'Yes',
    ]);
  }
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

async function approve(app: TestApp, requestId: number) {
  await app.slack.interactive({
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

describe('provisioning an approved request', () => {
  it('sends exactly two emails per created line, then a summary and the results with access ids', async () => {
    const smtp = await startSmtpCapture();
    captures.push(smtp);
    // One recipient is refused for good: exactly that line ends in error, with the reply.
    smtp.rejectNext(550, '5.1.1 no such user here', 1, 'rcpt');
    const app = await startTestApp({
      env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000', PUBLIC_BASE_URL: 'https://domum.example.com' },
    });
    const db = app.running.deps.db;
    await seedCatalog(db);
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: CHANNEL,
      file: 'people.xlsx',
      bytes: mixedWorkbook(),
    });
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      15_000,
    );
    await approve(app, request.id);

    const summary = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      30_000,
    );
    const summaryText = JSON.stringify(summary.args.blocks) + String(summary.args.text);
    // 30 created, but the refused recipient's line is in error: its first email (the link) was refused.
    expect(summaryText).toContain('Created: 29');
    expect(summaryText).toContain('Created inactive: 5');
    expect(summaryText).toContain('Errors: 6');
    expect(summaryText).toContain('Accesses created: 29');
    expect(summaryText).toContain('Emails sent: 58');
    expect(summaryText).toContain('no such user');
    // The counts are section fields; the refused line (a retry can fix it) is apart from the data errors.
    const countFields = (summary.args.blocks as Array<{ fields?: Array<{ text: string }> }>).flatMap(
      (block) => block.fields?.map((field) => field.text) ?? [],
    );
    expect(countFields).toEqual(expect.arrayContaining(['Lines: 40', 'Created: 29', 'Existing: 0', 'Errors: 6']));
    expect(summaryText).toContain('Refused by the mail server: 1');
    expect(summaryText).toContain('Errors in the data: 5');
    expect((await db.selectFrom('access_requests').select('status').executeTakeFirstOrThrow()).status).toBe(
      'completed_with_errors',
    );

    // Two emails for each of the 29, none for anyone else; the link mail has no token and the token mail no link.
    expect(smtp.messages).toHaveLength(58);
    const byRecipient = new Map<string, string[]>();
    for (const message of smtp.messages)
      byRecipient.set(message.to[0] ?? '', [...(byRecipient.get(message.to[0] ?? '') ?? []), message.raw]);
    expect(byRecipient.size).toBe(29);
    for (const [, mails] of byRecipient) {
      expect(mails).toHaveLength(2);
      const link = mails.find((raw) => raw.includes('https://domum.example.com/access/'));
      const token = mails.find((raw) => /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/.test(raw));
      expect(link).toBeDefined();
      expect(token).toBeDefined();
      expect(link).not.toMatch(/[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/);
      expect(token).not.toContain('/access/');
      // The name is HTML-escaped in the HTML part (the plain-text part shows it as typed).
      expect(link).toContain('&lt;b&gt;');
    }
    // The refused recipient (the first one the server saw) got nothing, and its line says why.
    const refused = await db
      .selectFrom('accesses as a')
      .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
      .select(['u.email', 'a.email_error'])
      .where('a.email_error', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(refused.email_error).toContain('no such user');
    expect(byRecipient.has(refused.email)).toBe(false);
    expect(byRecipient.has('person.31@globex.example')).toBe(false);

    // Progress was posted in the thread and edited in place; the results carry the access ids.
    expect(
      app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Processing')),
    ).toHaveLength(1);
    const upload = await app.slackApi.waitForUpload(
      (entry) => entry.filename.endsWith('-results.xlsx') && entry.channelId === CHANNEL,
      15_000,
    );
    const sheet = XLSX.read(upload.bytes, { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<Record<string, string>>(
      sheet.Sheets[sheet.SheetNames[0] as string] as XLSX.WorkSheet,
    );
    expect(rows).toHaveLength(40);
    // Every active user has an access id, the refused one too (its access is in error).
    expect(rows.filter((row) => /^EXT-\d{2}-\d{6}$/.test(String(row['Access id'])))).toHaveLength(30);
    expect(rows.filter((row) => row['Outcome'] === 'error')).toHaveLength(6);
    const accesses = await db.selectFrom('accesses').select(['status', 'token_hash', 'email_error']).execute();
    expect(accesses).toHaveLength(30);
    expect(accesses.filter((access) => access.token_hash !== null)).toHaveLength(29);
    expect(accesses.filter((access) => access.email_error !== null)).toHaveLength(1);
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === 'DU0REQ0001' && String(call.args.text).includes('Completed with errors'),
      15_000,
    );
    // The card in the channel says so too.
    const cardWords = () =>
      app.slackApi
        .callsTo('chat.update')
        .filter((call) => String(call.args.text).startsWith('Access request'))
        .map((call) => String(call.args.text).replace(/^.*: /, ''));
    await waitFor(() => cardWords().at(-1) === 'Completed with errors', {
      description: 'the card to say Completed with errors',
    });
    expect(cardWords()).toContain('Processing');

    // "Retry failed lines": the approver may not; the requester retries only the refused line.
    expect(JSON.stringify(summary.args.blocks)).toContain(RETRY_FAILED_ACTION);
    const retry = (user: string, responseId: string) =>
      app.slack.interactive({
        type: 'block_actions',
        user: { id: user, team_id: 'T0TEAM001' },
        channel: { id: CHANNEL },
        container: { type: 'message', channel_id: CHANNEL, message_ts: '1' },
        response_url: app.slackApi.responseUrl(responseId),
        actions: [
          {
            type: 'button',
            action_id: RETRY_FAILED_ACTION,
            block_id: 'retry',
            value: String(request.id),
            action_ts: '1',
          },
        ],
      });
    await retry('U0APPR001', 'not-allowed');
    expect(
      JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'not-allowed')).body),
    ).toContain('Only the requester or an admin');
    const processing = app.slackApi
      .callsTo('chat.postMessage')
      .find((call) => String(call.args.text).startsWith('Processing'));
    const processingTs = String((processing?.response as { ts: string }).ts);
    const editsBefore = app.slackApi.callsTo('chat.update').filter((call) => call.args.ts === processingTs).length;
    await retry('U0REQ0001', 'retry');
    const second = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary') && call !== summary,
      30_000,
    );
    const secondText = JSON.stringify(second.args.blocks) + String(second.args.text);
    expect(secondText).toContain('Created: 30');
    expect(secondText).toContain('Errors: 5');
    expect(secondText).toContain('Errors in the data: 5');
    expect(secondText).not.toContain('Refused by the mail server');
    expect(secondText).not.toContain(RETRY_FAILED_ACTION);
    // The retry edited the thread's one Processing message (counting users), and posted one new summary.
    const postedTexts = app.slackApi.callsTo('chat.postMessage').map((call) => String(call.args.text));
    expect(postedTexts.filter((text) => text.startsWith('Processing'))).toHaveLength(1);
    expect(postedTexts.filter((text) => text.startsWith('Summary'))).toHaveLength(2);
    const edits = app.slackApi.callsTo('chat.update').filter((call) => call.args.ts === processingTs);
    expect(edits.length).toBeGreaterThan(editsBefore);
    expect(String(edits.at(-1)?.args.text)).toMatch(/^Processing W\d{6} · 30 of 30 users done · 60 emails sent$/);
    // Two more emails, for the retried recipient only: nothing already sent was sent again.
    expect(smtp.messages).toHaveLength(60);
    expect(smtp.messages.filter((message) => message.to[0] === refused.email)).toHaveLength(2);
    expect(app.slackApi.violations).toEqual([]);
  }, 90_000);

  it('waits out a mail server that refuses everything for a while, and Slack rate limits, losing nothing', async () => {
    const smtp = await startSmtpCapture();
    captures.push(smtp);
    const app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' } });
    const db = app.running.deps.db;
    await seedCatalog(db);
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: CHANNEL,
      file: 'clean_en.xlsx',
    });
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      15_000,
    );
    // A temporary refusal (421) on every message: transient, so the job retries later, and no line fails.
    smtp.setFailWith({ code: 421, message: '4.3.2 try again later', stage: 'rcpt' });
    // And Slack answers the first progress and summary posts with 429 Retry-After.
    app.slackApi.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } }, 2);
    await approve(app, request.id);
    await smtp.waitForRejections(1, 15_000);
    expect(smtp.messages).toEqual([]);
    smtp.setFailWith(undefined);
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 60_000);
    expect(smtp.messages).toHaveLength(8);
    expect(
      app.slackApi
        .callsTo('chat.postMessage')
        .filter(
          (call) => String(call.args.text).startsWith('Summary') && (call.response as { ok?: boolean })?.ok !== false,
        ),
    ).toHaveLength(1);
    expect((await db.selectFrom('access_requests').select('status').executeTakeFirstOrThrow()).status).toBe(
      'completed',
    );
    expect(await db.selectFrom('import_lines').select('line_number').where('outcome', '=', 'error').execute()).toEqual(
      [],
    );
  }, 90_000);
});
