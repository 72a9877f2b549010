// Fault suite: the app (`domum start`, a child process) is killed with SIGKILL at a random point of a run
// and started again, ten times on the same database. A point is "after the k-th email reached the mail
// server", k drawn from 0 (just after the approval: the import and the provisioning job are still running)
// to the last email but one (the summary cannot have started). Every run must end in one correct, complete
// summary, its results listing one distinct access per created line, and every created line's user with both
// emails. The seed is printed; FAULT_SEED=<seed> replays the same kill points.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import {
  approveOverSlack,
  childEnvironment,
  createRequestOverSlack,
  establishedConnectionsTo,
  openChildDatabase,
  readFirstAccessMails,
  seedChildDatabase,
  startChildApp,
  temporaryDataDir,
} from '../support/child-app.ts';
import type { ChildApp } from '../support/child-app.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { createTestDatabase } from '../support/test-database.ts';

const ITERATIONS = 10;
const LINES = 300;
const CREATED = LINES - LINES / 10;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Mulberry32: a small seeded generator, so a failing sequence of kill points can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Run `run`'s LINES lines, with addresses of its own; every 10th line is inactive. */
function workbook(run: number): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < LINES; index += 1)
    rows.push([
      'Globex',
      `Person ${run}.${index}`,
      `run${run}.person${index}@globex.example`,
      index % 10 === 0 ? 'No' : 'Yes',
    ]);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('SIGKILL at random points of a run', () => {
  it(`ends each of ${ITERATIONS} killed runs with one correct, complete summary and no duplicate access`, async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    process.stdout.write(`sigkill-random: FAULT_SEED=${seed}\n`);
    const smtp = await startSmtpCapture();
    const slackApi = await startFakeSlackApi();
    closers.push(
      () => smtp.close(),
      () => slackApi.close(),
    );
    const database = await createTestDatabase();
    const dataDir = await temporaryDataDir();
    const env = childEnvironment({
      slackApi,
      database,
      dataDir,
      smtpUrl: smtp.url,
      extra: { MAIL_RATE_PER_SECOND: '5000' },
    });
    await seedChildDatabase(database, dataDir, async (handle) => {
      await seedCatalog(handle.db);
    });

    let app: ChildApp = await startChildApp({ env });
    const requestIds: number[] = [];
    for (let run = 1; run <= ITERATIONS; run += 1) {
      const started = Date.now();
      const channel = `C0FAULT${String(run).padStart(2, '0')}`;
      const side = { slack: app.slack, slackApi };
      const { requestId, cardTs } = await createRequestOverSlack(side, {
        requester: 'U0REQ0001',
        channel,
        fileName: `run-${run}.xlsx`,
        bytes: workbook(run),
      });
      requestIds.push(requestId);
      const emailsBefore = smtp.messages.length;
      const killAfter = Math.floor(random() * 2 * CREATED);
      await approveOverSlack(side, { requestId, approver: 'U0APPR001', channel, cardTs });
      if (killAfter > 0) await smtp.waitForMessages(emailsBefore + killAfter, 90_000);
      const connectionsAtKill = await establishedConnectionsTo(smtp.port);
      await app.kill();
      const inAtKill = smtp.messages.length - emailsBefore;
      app = await startChildApp({ env });

      const isSummary = (call: { args: Record<string, unknown> }) =>
        call.args.channel === channel && String(call.args.text).startsWith('Summary');
      const summary = await slackApi.waitForCall('chat.postMessage', isSummary, 120_000);
      const text = JSON.stringify(summary.args.blocks) + String(summary.args.text);
      const context = `run ${run} (seed ${seed}, killed after ${killAfter} emails)`;
      expect(text, context).toContain(`Created: ${CREATED}`);
      expect(text, context).toContain(`Created inactive: ${LINES - CREATED}`);
      expect(text, context).toContain('Errors: 0');
      expect(text, context).toContain(`Accesses created: ${CREATED}`);
      expect(text, context).toContain(`Emails sent: ${2 * CREATED}`);
      const results = await slackApi.waitForUpload(
        (upload) => upload.channelId === channel && upload.filename.endsWith('-results.xlsx'),
        30_000,
      );
      const sheet = XLSX.read(results.bytes, { type: 'buffer' });
      const rows = XLSX.utils.sheet_to_json<Record<string, string>>(
        sheet.Sheets[sheet.SheetNames[0] as string] as XLSX.WorkSheet,
      );
      expect(rows, context).toHaveLength(LINES);
      const accessIds = rows.map((row) => String(row['Access id'] ?? '')).filter((id) => /^EXT-\d{2}-\d{6}$/.test(id));
      expect(accessIds, context).toHaveLength(CREATED);
      expect(new Set(accessIds).size, context).toBe(CREATED);

      // Both emails for every created line; the only extra ones were in flight at the kill.
      const mails = readFirstAccessMails(smtp.messages.filter((message) => message.to[0]?.startsWith(`run${run}.`)));
      expect(mails.links.size, context).toBe(CREATED);
      expect(mails.tokens.size, context).toBe(CREATED);
      const extra = smtp.messages.length - emailsBefore - 2 * CREATED;
      expect(extra, context).toBeGreaterThanOrEqual(0);
      expect(
        extra,
        `${context}: ${extra} extra emails, ${connectionsAtKill} SMTP connections at the kill`,
      ).toBeLessThanOrEqual(connectionsAtKill);
      process.stdout.write(
        `sigkill-random: ${context}: ${inAtKill} emails in at the kill, ${extra} sent twice, summary after ${Date.now() - started} ms\n`,
      );
    }
    expect(
      slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Summary')),
    ).toHaveLength(ITERATIONS);
    expect(slackApi.violations).toEqual([]);

    // The database once the app stopped: one access per created line of every run, all complete.
    await app.stop();
    const handle = await openChildDatabase(database, dataDir);
    for (const requestId of requestIds) {
      const accesses = await handle.db
        .selectFrom('accesses')
        .select(['user_id', 'link_email_sent_at', 'token_email_sent_at', 'email_error'])
        .where('request_id', '=', requestId)
        .execute();
      expect(accesses).toHaveLength(CREATED);
      expect(new Set(accesses.map((access) => access.user_id)).size).toBe(CREATED);
      expect(
        accesses.filter((access) => access.link_email_sent_at && access.token_email_sent_at && !access.email_error),
      ).toHaveLength(CREATED);
      expect(
        (
          await handle.db
            .selectFrom('access_requests')
            .select('status')
            .where('id', '=', requestId)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe('completed');
    }
  }, 600_000);
});
