// SPEC §7 with the overlapped send path (src/usecases/email-lanes.ts): a connection sends its next email while
// the previous one's record commits, yet at no instant are more emails accepted by the mail server and not
// recorded as sent than there are SMTP connections — so a crash at any instant repeats at most that many. The
// SMTP server checks it at every acceptance, before it answers the final ".", against the database itself.
import * as XLSX from 'xlsx';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';

const CHANNEL = 'C0BOUND01';
const LINES = 300;
const CONNECTIONS = 3;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function workbook(): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < LINES; index += 1)
    rows.push(['Globex', `Person ${index}`, `person.${index}@globex.example`, 'Yes']);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('emails accepted and not yet recorded', () => {
  it('never outnumber the SMTP connections, while every email goes out once', async () => {
    const smtp = await startSmtpCapture();
    closers.push(() => smtp.close());
    const app = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        SMTP_CONNECTIONS: String(CONNECTIONS),
        MAIL_RATE_PER_SECOND: '100000',
        PUBLIC_BASE_URL: 'https://domum.example.com',
      },
    });
    const db = app.running.deps.db;
    await seedCatalog(db);
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: CHANNEL,
      file: 'people.xlsx',
      bytes: workbook(),
    });
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      15_000,
    );

    // At each acceptance: the emails accepted before this one, less those recorded. This one makes one more.
    const unrecordedBefore: number[] = [];
    smtp.setBeforeAccepting(async () => {
      const accepted = smtp.messages.length;
      const { rows } = await sql<{ recorded: number }>`
        select (count(link_email_sent_at) + count(token_email_sent_at))::integer as recorded from accesses
      `.execute(db);
      unrecordedBefore.push(accepted - Number(rows[0]?.recorded));
    });

    await app.slack.interactive({
      type: 'view_submission',
      user: { id: 'U0APPR001', team_id: 'T0TEAM001' },
      view: {
        id: 'VAPPROVE',
        type: 'modal',
        callback_id: 'request_approve_modal',
        private_metadata: JSON.stringify({ requestId: request.id }),
        state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
      },
    });
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 60_000);

    expect(smtp.hookErrors).toEqual([]);
    expect(unrecordedBefore).toHaveLength(2 * LINES);
    expect(Math.max(...unrecordedBefore)).toBeLessThanOrEqual(CONNECTIONS - 1);
    // Each email once: a link and a token per user.
    const keys = smtp.messages.map((message) => message.headers['message-id']);
    expect(new Set(keys).size).toBe(2 * LINES);
  });
});
