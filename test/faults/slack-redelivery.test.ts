// Fault suite: Slack delivers the same thing more than once. An event is retried when its first delivery was
// not acknowledged in time, and a user's double click or a flaky network submits a view twice. On PostgreSQL
// the copies go to two replicas of the app sharing the database (a worker and a web-only process), as behind
// a load balancer; on the embedded database (one process owns it) they race inside the one process.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturePath } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { usesPostgres } from '../support/test-database.ts';
import { approveThroughModal, expectCompleteRun, requestAwaitingApproval } from './fault-run.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The app, and a second replica on its database where there can be one (PostgreSQL). */
async function replicas(env: Record<string, string> = {}): Promise<TestApp[]> {
  const first = await startTestApp({ env });
  if (!usesPostgres()) return [first, first];
  const second = await startTestApp({ env, role: 'web', database: first.database });
  return [first, second];
}

const postsTo = (apps: TestApp[], predicate: (args: Record<string, unknown>) => boolean) =>
  [...new Set(apps.map((app) => app.slackApi))]
    .flatMap((api) => api.callsTo('chat.postMessage'))
    .filter((call) => predicate(call.args));

describe('Slack delivering the same thing more than once', () => {
  it('handles an event delivered three times (the first and two retries, at once) once', async () => {
    const apps = await replicas();
    const [first] = apps as [TestApp, TestApp];
    await seedCatalog(first.running.deps.db);
    const shareTs = '1700000100.000100';
    for (const api of new Set(apps.map((app) => app.slackApi))) {
      api.addFile({
        id: 'F0REDELIVER',
        name: 'clean_en.xlsx',
        bytes: readFileSync(fixturePath('clean_en.xlsx')),
        user: 'U0IMPORT1',
        channels: ['C0REDELIV1'],
        shares: { C0REDELIV1: shareTs },
      });
    }
    const event = {
      type: 'file_shared',
      file_id: 'F0REDELIVER',
      user_id: 'U0IMPORT1',
      file: { id: 'F0REDELIVER' },
      channel_id: 'C0REDELIV1',
      event_ts: shareTs,
    };
    const deliveries = await Promise.all([
      apps[0]?.slack.event(event, { eventId: 'Ev0REDELIVER1' }),
      apps[1]?.slack.event(event, { eventId: 'Ev0REDELIVER1', retryNum: 1, retryReason: 'http_timeout' }),
      apps[0]?.slack.event(event, { eventId: 'Ev0REDELIVER1', retryNum: 2, retryReason: 'http_timeout' }),
    ]);
    expect(deliveries.map((delivery) => delivery?.status)).toEqual([200, 200, 200]);

    await first.slackApi.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'C0REDELIV1' &&
        call.args.thread_ts === shareTs &&
        JSON.stringify(call.args).includes('lines'),
      30_000,
    );
    expect(
      await first.running.deps.db
        .selectFrom('imports')
        .select('id')
        .where('slack_file_id', '=', 'F0REDELIVER')
        .execute(),
    ).toHaveLength(1);
    expect(await first.running.deps.db.selectFrom('imports').select('id').execute()).toHaveLength(1);
    expect(postsTo(apps, (args) => args['thread_ts'] === shareTs)).toHaveLength(1);
  });

  it('applies the same Approve submission sent twice at once once: one decision, one provisioning, one summary', async () => {
    const smtp = await startSmtpCapture();
    closers.push(() => smtp.close());
    const apps = await replicas({ SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' });
    const [first, second] = apps as [TestApp, TestApp];
    const request = await requestAwaitingApproval(first, { lines: 20, channel: 'C0TWICE01', prefix: 'twice' });
    const answers = await Promise.all([
      approveThroughModal(first, request.id),
      approveThroughModal(second, request.id),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);

    await first.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      60_000,
    );
    const db = first.running.deps.db;
    expect(
      await db.selectFrom('approval_responses').select('id').where('request_id', '=', request.id).execute(),
    ).toHaveLength(1);
    expect(postsTo(apps, (args) => String(args['text']).includes(`approved ${request.code}`))).toHaveLength(1);
    expect(postsTo(apps, (args) => String(args['text']).startsWith('Processing'))).toHaveLength(1);
    await expectCompleteRun(first, { requestId: request.id, lines: 20, messages: smtp.messages, maxDuplicates: 0 });
  });
});
