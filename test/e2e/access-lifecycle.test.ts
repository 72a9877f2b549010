// The access lifecycle (README "Importing users", Lifecycle) with a test clock: accesses are scheduled before their
// start, active from it, finished from their end, and isAllowedAt agrees at each instant; the tick (the job pg-boss
// runs every minute) is safe to run twice at once; cancelled accesses stay cancelled; the requester gets one DM a day
// before the accesses end, however many ticks run.
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { accessLimitationSchema, isAllowedAt, limitationEnd } from '../../src/domain/access-limitation.ts';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../../src/slack/ids.ts';
import { cancelAccesses } from '../../src/usecases/cancel-accesses.ts';
import { tick } from '../support/lifecycle.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const CHANNEL = 'C0LIFECYCLE';
const TIME_ZONE = 'America/Sao_Paulo';
const HOUR = 3600 * 1000;

function people(): Buffer {
  const rows = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    ['Globex', 'Ana', 'ana@globex.example', 'Yes'],
    ['Globex', 'Bruno', 'bruno@globex.example', 'Yes'],
    ['Globex', 'Carla', 'carla@globex.example', 'Yes'],
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

describe('the access lifecycle', () => {
  it('moves accesses scheduled → active → finished with the clock, in step with isAllowedAt, and reminds once a day before the end', async () => {
    let clock = new Date();
    const app = await startTestApp({ now: () => clock });
    const db = app.running.deps.db;
    app.slackApi.setUser(REQUESTER, { tz: TIME_ZONE });
    await seedCatalog(db);
    const request = await createRequestThroughWizard(app, {
      requester: REQUESTER,
      channel: CHANNEL,
      file: 'people.xlsx',
      bytes: people(),
    });
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      15_000,
    );
    // Two days from tomorrow (the wizard driver asks for 8 hours): a reminder needs an access longer than its day
    // of notice.
    const stored = await db
      .selectFrom('access_requests')
      .select('limitation')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    const limitation = accessLimitationSchema.parse({
      ...(stored.limitation as object),
      duration: { amount: 2, unit: 'days' },
    });
    expect(limitation.timeZone).toBe(TIME_ZONE);
    await db
      .updateTable('access_requests')
      .set({ limitation: JSON.stringify(limitation) })
      .where('id', '=', request.id)
      .execute();
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
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 30_000);
    expect(await app.running.deps.jobs.boss.getSchedules('access.lifecycle')).toEqual([
      expect.objectContaining({ name: 'access.lifecycle', cron: '* * * * *' }),
    ]);

    const start = new Date(limitation.start);
    const end = limitationEnd(limitation);
    const accesses = await db
      .selectFrom('accesses')
      .select(['id', 'code', 'starts_at', 'ends_at'])
      .orderBy('id')
      .execute();
    expect(accesses).toHaveLength(3);
    expect(
      accesses.every(
        (access) => access.starts_at.getTime() === start.getTime() && access.ends_at.getTime() === end.getTime(),
      ),
    ).toBe(true);
    // One access is cancelled before it starts: the lifecycle leaves it cancelled.
    const carla = accesses[2]!;
    expect(
      (
        await cancelAccesses(app.running.deps, {
          target: { kind: 'access', code: carla.code },
          actor: { userId: REQUESTER, isAdmin: false },
          reason: 'Carla left',
        })
      ).ok,
    ).toBe(true);
    const others = accesses.slice(0, 2).map((access) => access.id);

    const statuses = async () => {
      const rows = await db.selectFrom('accesses').select(['id', 'status']).orderBy('id').execute();
      return {
        others: [...new Set(rows.filter((row) => others.includes(row.id)).map((row) => row.status))],
        carla: rows.find((row) => row.id === carla.id)?.status,
      };
    };
    const auditCount = async (action: string) =>
      (await db.selectFrom('audit_events').select('id').where('action', '=', action).execute()).length;
    const reminders = () =>
      app.slackApi
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('accesses of'));

    // Before the start: scheduled, and not allowed.
    clock = new Date(start.getTime() - 60_000);
    await tick(app);
    expect(await statuses()).toEqual({ others: ['scheduled'], carla: 'cancelled' });
    expect(isAllowedAt(limitation, clock)).toBe(false);

    // At the start: active, and allowed. Two ticks at the same instant move each access once.
    clock = start;
    await Promise.all([tick(app), tick(app)]);
    expect(await statuses()).toEqual({ others: ['active'], carla: 'cancelled' });
    expect(isAllowedAt(limitation, clock)).toBe(true);
    expect(await auditCount('access.started')).toBe(2);
    expect(reminders()).toEqual([]);

    // A day before the end (23 hours, so inside the day): one DM to the requester, however many ticks follow.
    clock = new Date(end.getTime() - 23 * HOUR);
    await tick(app);
    const reminder = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('accesses of'),
      15_000,
    );
    const endsAtWall = new Intl.DateTimeFormat('en-US', {
      timeZone: TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(end);
    expect(String(reminder.args.text)).toMatch(
      new RegExp(
        `^The 2 accesses of ${request.code} \\(people\\.xlsx\\) end (today|tomorrow) at ${endsAtWall} \\(\\d{1,2} [A-Z][a-z]{2} \\d{4}, ${TIME_ZONE}\\)`,
      ),
    );
    await waitFor(
      async () =>
        (await app.running.deps.jobs.boss.findJobs('request.end-reminder')).every((job) => job.state === 'completed'),
      { description: 'the reminder job to finish' },
    );
    await Promise.all([tick(app), tick(app)]);
    clock = new Date(end.getTime() - 1);
    await tick(app);
    expect(await statuses()).toEqual({ others: ['active'], carla: 'cancelled' });
    expect(isAllowedAt(limitation, clock)).toBe(true);
    expect(reminders()).toHaveLength(1);
    expect(await app.running.deps.jobs.boss.findJobs('request.end-reminder')).toHaveLength(1);

    // At the end: finished, not allowed, tokens forgotten; the link no longer offers the token form.
    clock = end;
    await tick(app);
    expect(await statuses()).toEqual({ others: ['finished'], carla: 'cancelled' });
    expect(isAllowedAt(limitation, clock)).toBe(false);
    expect(await auditCount('access.finished')).toBe(2);
    expect(
      (await db.selectFrom('accesses').select('token_hash').execute()).every((row) => row.token_hash === null),
    ).toBe(true);
    const { link_id: linkId } = await db
      .selectFrom('accesses')
      .select('link_id')
      .where('id', '=', others[0]!)
      .executeTakeFirstOrThrow();
    const page = await fetch(`${app.baseUrl}/access/${linkId}`);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(await page.text()).not.toContain('name="token"');
    await tick(app);
    expect(await auditCount('access.finished')).toBe(2);
    expect(reminders()).toHaveLength(1);
    expect(app.slackApi.violations).toEqual([]);
  }, 90_000);
});
