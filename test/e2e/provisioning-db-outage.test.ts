// Issue 6: PostgreSQL going away in the middle of provisioning (every connection cut, new ones refused for a
// few seconds) pauses the work; once it is back the work resumes by itself and completes, with no line in
// error, no duplicate access, and no email sent twice (an email accepted during the outage is recorded once
// the database answers again). PostgreSQL only: the embedded database lives inside the process and cannot go
// away on its own.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { readFirstAccessMails } from '../support/child-app.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { startTestApp } from '../support/test-app.ts';
import { usesPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

const LINES = 600;
const CHANNEL = 'C0OUTAGE1';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function workbook(): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < LINES; index += 1)
    rows.push(['Globex', `Person ${index}`, `person.${index}@globex.example`, 'Yes']);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe.skipIf(!usesPostgres())(
  'provisioning while PostgreSQL is unreachable (PostgreSQL only: the embedded database runs inside the app and cannot go away)',
  () => {
    it('pauses, then resumes by itself and completes with no line in error and nothing duplicated', async () => {
      const target = new URL(process.env.TEST_DATABASE_URL ?? '');
      const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      const smtp = await startSmtpCapture();
      closers.push(
        () => proxy.close(),
        () => smtp.close(),
      );
      const app = await startTestApp({
        env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' },
        wrapDatabaseUrl: (url) => proxy.proxiedUrl(url),
      });
      // Read through a connection of its own, not the proxy: the checks below must not depend on the outage.
      const direct = (await app.database.open()).db;
      await seedCatalog(direct);
      const request = await createRequestThroughWizard(app, {
        requester: 'U0REQ0001',
        channel: CHANNEL,
        file: 'outage.xlsx',
        bytes: workbook(),
      });
      await app.slackApi.waitForCall(
        'chat.postMessage',
        (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
        15_000,
      );
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

      // Mid-run: every connection to PostgreSQL dies and new ones are refused.
      await smtp.waitForMessages(LINES / 2, 60_000);
      const logsBefore = app.logs.length;
      await proxy.cut('refuse');
      // The app notices (its readiness probe fails, its jobs and queue lose the database)...
      await waitFor(async () => (await fetch(`${app.baseUrl}/readyz`)).status === 503, {
        description: '/readyz to fail during the outage',
        timeoutMs: 15_000,
      });
      await waitFor(
        () =>
          app.logs.slice(logsBefore).filter((line) => line['level'] === 'warn' || line['level'] === 'error').length >=
          2,
        { description: 'the app to report the lost database', timeoutMs: 15_000 },
      );
      // ...and sends nothing more while it cannot record what it sent.
      const duringOutage = smtp.messages.length;
      expect(duringOutage).toBeLessThan(2 * LINES);
      await proxy.restore();

      const summary = await app.slackApi.waitForCall(
        'chat.postMessage',
        (call) => String(call.args.text).startsWith('Summary'),
        60_000,
      );
      const summaryText = JSON.stringify(summary.args.blocks) + String(summary.args.text);
      expect(summaryText).toContain(`Created: ${LINES}`);
      expect(summaryText).toContain('Errors: 0');
      expect(summaryText).toContain(`Emails sent: ${2 * LINES}`);

      expect(
        await direct.selectFrom('import_lines').select('line_number').where('outcome', '=', 'error').execute(),
      ).toEqual([]);
      const accesses = await direct
        .selectFrom('accesses')
        .select(['user_id', 'link_email_sent_at', 'token_email_sent_at', 'email_error'])
        .where('request_id', '=', request.id)
        .execute();
      expect(accesses).toHaveLength(LINES);
      expect(new Set(accesses.map((access) => access.user_id)).size).toBe(LINES);
      expect(
        accesses.every((access) => access.link_email_sent_at && access.token_email_sent_at && !access.email_error),
      ).toBe(true);
      expect(
        (
          await direct
            .selectFrom('access_requests')
            .select('status')
            .where('id', '=', request.id)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe('completed');

      const mails = readFirstAccessMails(smtp.messages);
      expect(mails.links.size).toBe(LINES);
      expect(mails.tokens.size).toBe(LINES);
      expect(smtp.messages, 'no email sent twice').toHaveLength(2 * LINES);
      expect(
        app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Summary')),
      ).toHaveLength(1);
    }, 90_000);
  },
);
