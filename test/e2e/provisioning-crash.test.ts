// Issue 6: the worker is killed (SIGKILL: no shutdown code runs) in the middle of a 2,000-line run and
// started again. Every `created` line ends with one access, its link email and a token that works on the
// landing page; the only duplicate emails are the ones that were being sent at the kill (never more than the
// SMTP connections open then); the summary arrives once. The whole app runs as a child process (`domum
// start`), driven through signed Slack requests; on the embedded database the child owns its data directory,
// so the database is read after the child has stopped.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import {
  activateOnLandingPage,
  approveOverSlack,
  childEnvironment,
  createRequestOverSlack,
  establishedConnectionsTo,
  openLandingPage,
  openChildDatabase,
  readFirstAccessMails,
  seedChildDatabase,
  startChildApp,
  temporaryDataDir,
} from '../support/child-app.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { createTestDatabase } from '../support/test-database.ts';

const LINES = 2_000;
const CHANNEL = 'C0CRASH01';
const REQUESTER = 'U0REQ0001';
const APPROVER = 'U0APPR001';

/** LINES lines for Globex; every 20th is inactive (created_inactive: no access, no email). */
function workbook(): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < LINES; index += 1)
    rows.push(['Globex', `Person ${index}`, `person.${index}@globex.example`, index % 20 === 0 ? 'No' : 'Yes']);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}
const CREATED = LINES - LINES / 20;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('provisioning when the worker process is killed mid-run', () => {
  it('ends with one access, one link email and a working token per created line, and one summary', async () => {
    const started = Date.now();
    const smtp = await startSmtpCapture();
    const slackApi = await startFakeSlackApi();
    closers.push(
      () => smtp.close(),
      () => slackApi.close(),
    );
    const database = await createTestDatabase();
    const env = childEnvironment({
      slackApi,
      database,
      dataDir: await temporaryDataDir(),
      smtpUrl: smtp.url,
      extra: { MAIL_RATE_PER_SECOND: '5000', PUBLIC_BASE_URL: 'https://domum.example.com' },
    });
    await seedChildDatabase(database, env['DATA_DIR'] ?? '', async (handle) => {
      await seedCatalog(handle.db);
    });

    const first = await startChildApp({ env });
    const { requestId, cardTs } = await createRequestOverSlack(
      { slack: first.slack, slackApi },
      { requester: REQUESTER, channel: CHANNEL, fileName: 'crash.xlsx', bytes: workbook() },
    );
    await approveOverSlack(
      { slack: first.slack, slackApi },
      { requestId, approver: APPROVER, channel: CHANNEL, cardTs },
    );

    // Some, not all, of the 2 × CREATED emails are in: kill the process in the middle of sending.
    await smtp.waitForMessages(Math.floor(CREATED * 0.6), 60_000);
    const connectionsAtKill = await establishedConnectionsTo(smtp.port);
    const exit = await first.kill();
    expect(exit.signal).toBe('SIGKILL');
    const receivedAtKill = smtp.messages.length;
    expect(receivedAtKill).toBeLessThan(2 * CREATED);
    const killedAfter = Date.now() - started;

    const second = await startChildApp({ env });
    const summary = await slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      150_000,
    );
    const summaryText = JSON.stringify(summary.args.blocks) + String(summary.args.text);
    expect(summaryText).toContain(`Created: ${CREATED}`);
    expect(summaryText).toContain(`Created inactive: ${LINES - CREATED}`);
    expect(summaryText).toContain(`Accesses created: ${CREATED}`);
    expect(summaryText).toContain(`Emails sent: ${2 * CREATED}`);
    const summaryAfter = Date.now() - started;

    // Every created line's recipient got the link email and a token email; nobody else got anything.
    const mails = readFirstAccessMails(smtp.messages);
    expect(mails.links.size).toBe(CREATED);
    expect(mails.tokens.size).toBe(CREATED);
    for (let index = 0; index < LINES; index += 1) {
      const recipient = `person.${index}@globex.example`;
      expect(mails.links.has(recipient), recipient).toBe(index % 20 !== 0);
    }
    // The only duplicates are what was in flight at the kill: at most one message per open SMTP connection.
    const duplicates = smtp.messages.length - 2 * CREATED;
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(
      duplicates,
      `${duplicates} duplicate emails, ${connectionsAtKill} SMTP connections at the kill`,
    ).toBeLessThanOrEqual(connectionsAtKill);
    for (const [recipient, links] of mails.links) expect(new Set(links).size, recipient).toBe(1);

    // The latest token email of each recipient works on the landing page of its link (one browser session:
    // the CSRF cookie of the first page it opened).
    const recipients = [...mails.links.keys()];
    const session = await openLandingPage(second.baseUrl, mails.links.get(recipients[0] ?? '')?.[0] ?? '');
    const statuses = new Map<number, number>();
    await inParallel(recipients, 8, async (recipient) => {
      const status = await activateOnLandingPage(
        second.baseUrl,
        mails.links.get(recipient)?.[0] ?? '',
        mails.tokens.get(recipient)?.at(-1) ?? '',
        session,
      );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    expect(Object.fromEntries(statuses)).toEqual({ 200: CREATED });

    // One summary (and one requester DM), however many times jobs ran.
    expect(
      slackApi
        .callsTo('chat.postMessage')
        .filter((call) => String(call.args.text).startsWith('Summary') && (call.response as { ok?: boolean }).ok),
    ).toHaveLength(1);
    expect(
      slackApi
        .callsTo('chat.postMessage')
        .filter(
          (call) => String(call.args.channel).startsWith('D') && String(call.args.text).includes('is now Completed'),
        ),
    ).toHaveLength(1);
    expect(slackApi.violations).toEqual([]);

    // The database, read after the child stopped (the embedded one belongs to the child while it runs).
    await second.stop();
    const handle = await openChildDatabase(database, env['DATA_DIR'] ?? '');
    const accesses = await handle.db
      .selectFrom('accesses as a')
      .innerJoin('import_lines as l', (join) => join.onRef('l.user_id', '=', 'a.user_id'))
      .select([
        'a.id',
        'a.link_id',
        'a.status',
        'a.first_access_state',
        'a.link_email_sent_at',
        'a.token_email_sent_at',
        'a.email_error',
        'l.outcome',
      ])
      .where('a.request_id', '=', requestId)
      .execute();
    expect(accesses).toHaveLength(CREATED);
    expect(
      accesses.filter(
        (access) =>
          access.outcome === 'created' &&
          access.link_email_sent_at &&
          access.token_email_sent_at &&
          !access.email_error,
      ),
    ).toHaveLength(CREATED);
    expect(accesses.filter((access) => access.first_access_state === 'activated')).toHaveLength(CREATED);
    expect(new Set(accesses.map((access) => access.link_id))).toEqual(
      new Set([...mails.links.values()].map((links) => links[0])),
    );
    const request = await handle.db
      .selectFrom('access_requests')
      .select(['status'])
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(request.status).toBe('completed');
    process.stdout.write(
      `provisioning-crash (${database.kind}): killed at ${killedAfter} ms with ${receivedAtKill} emails in and ${connectionsAtKill} SMTP connections, summary at ${summaryAfter} ms, ${duplicates} duplicate emails, done at ${Date.now() - started} ms\n`,
    );
  }, 180_000);
});
