// The approval TTL (README "Importing users"): approvers still missing are reminded once at half of it, and the request
// expires at the end of it — once each, also when the app restarts in between.
import { describe, expect, it } from 'vitest';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { usesPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const CHANNEL = 'C0DEADLINE';
// Six seconds: the reminder after three, the expiry after six.
const TTL_HOURS = String(6 / 3600);

async function appWithCatalog(app: TestApp): Promise<TestApp> {
  await seedCatalog(app.running.deps.db);
  return app;
}

const reminders = (app: TestApp) =>
  app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Reminder:'));
const expiryNotices = (app: TestApp) =>
  app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('is now Expired'));

describe('the approval TTL', () => {
  it('reminds the missing approvers once, then expires the request once', async () => {
    const app = await appWithCatalog(await startTestApp({ env: { APPROVAL_TTL_HOURS: TTL_HOURS } }));
    const request = await createRequestThroughWizard(app, { requester: REQUESTER, channel: CHANNEL });
    const reminder = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Reminder:'),
      20_000,
    );
    expect(String(reminder.args.text)).toContain(request.code);
    expect(String(reminder.args.text)).toContain('<@U0APPR001>');
    expect(String(reminder.args.text)).toContain('<@U0APPR002>');
    // It says how long is left, and until when (in each reader's own time zone).
    expect(String(reminder.args.text)).toMatch(
      /It expires in [^,]+, at <!date\^\d+\^[^|]+\|[^>]+>, if nobody decides\.$/,
    );
    await waitFor(
      async () =>
        (await app.running.deps.db.selectFrom('access_requests').select('status').executeTakeFirstOrThrow()).status ===
        'expired',
      { description: 'the request to expire', timeoutMs: 20_000 },
    );
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).includes('is now Expired'),
      15_000,
    );
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => JSON.stringify(call.args.blocks).includes('Expired'),
      15_000,
    );
    expect(reminders(app)).toHaveLength(1);
    expect(expiryNotices(app)).toHaveLength(1);
  }, 60_000);

  it('does not remind or expire a request that was decided in time', async () => {
    const app = await appWithCatalog(await startTestApp({ env: { APPROVAL_TTL_HOURS: String(4 / 3600) } }));
    const request = await createRequestThroughWizard(app, { requester: REQUESTER, channel: CHANNEL });
    await app.running.deps.db
      .updateTable('access_requests')
      .set({ status: 'rejected', decided_at: new Date() })
      .where('id', '=', request.id)
      .execute();
    const jobs = app.running.deps.jobs.boss;
    await waitFor(
      async () => {
        const [remind, expire] = await Promise.all([jobs.findJobs('request.remind'), jobs.findJobs('request.expire')]);
        return (
          [...remind, ...expire].every((job) => job.state === 'completed') && remind.length === 1 && expire.length === 1
        );
      },
      { description: 'both deadline jobs to run', timeoutMs: 20_000 },
    );
    expect(reminders(app)).toEqual([]);
    expect(
      (await app.running.deps.db.selectFrom('access_requests').select('status').executeTakeFirstOrThrow()).status,
    ).toBe('rejected');
  }, 60_000);

  // A restart needs a database that outlives the process: PostgreSQL (the embedded test database is in memory).
  it.runIf(usesPostgres())(
    'keeps both deadlines across a restart of the app',
    async () => {
      const first = await appWithCatalog(await startTestApp({ env: { APPROVAL_TTL_HOURS: TTL_HOURS } }));
      await createRequestThroughWizard(first, { requester: REQUESTER, channel: CHANNEL });
      await first.running.stop();
      const second = await startTestApp({ env: { APPROVAL_TTL_HOURS: TTL_HOURS }, database: first.database });
      await second.slackApi.waitForCall(
        'chat.postMessage',
        (call) => String(call.args.text).startsWith('Reminder:'),
        20_000,
      );
      await second.slackApi.waitForCall(
        'chat.postMessage',
        (call) => String(call.args.text).includes('is now Expired'),
        20_000,
      );
      expect(reminders(second)).toHaveLength(1);
      expect(expiryNotices(second)).toHaveLength(1);
    },
    60_000,
  );
});
