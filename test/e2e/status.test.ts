// `/domum status`, its detail, the App Home and `domum status` (README "Importing users", Where things stand): each
// role sees exactly what it may — the requester their own items, approvers what awaits them, admins everything — and a
// stranger asking about a code learns nothing about it, not even that it exists.
import { afterEach, describe, expect, it } from 'vitest';
import { statusReport } from '../../src/cli.ts';
import { COMMENT_BLOCK, DECISION_TEXT_ACTION, STATUS_MORE_ACTION } from '../../src/slack/ids.ts';
import { cancelAccesses } from '../../src/usecases/cancel-accesses.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

const CHANNEL = 'C0STATUS01';
const REQUESTER = 'U0REQ0001';
const APPROVER = 'U0APPR001';
const ADMIN = 'U0ADMIN01';
const STRANGER = 'U0STRANGE1';

const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closer of closers.splice(0)) await closer.close();
});

let responses = 0;
/** `/domum <text>` as `userId`; resolves with what the app answered through the response_url. */
async function command(
  app: TestApp,
  userId: string,
  text: string,
): Promise<{ text: string; blocks: unknown[]; all: string }> {
  responses += 1;
  const id = `status-${responses}`;
  const result = await app.slack.command({
    text,
    userId,
    channelId: CHANNEL,
    responseUrl: app.slackApi.responseUrl(id),
  });
  expect(result.status).toBe(200);
  const response = await app.slackApi.waitForResponse((candidate) => candidate.id === id);
  const body = response.body as { text?: string; blocks?: unknown[]; response_type?: string };
  expect(body.response_type).toBe('ephemeral');
  return {
    text: body.text ?? '',
    blocks: body.blocks ?? [],
    all: `${body.text ?? ''}${JSON.stringify(body.blocks ?? [])}`,
  };
}

/** `/domum status <code>` answered with a modal: the modal's blocks as one string. */
async function detailModal(app: TestApp, userId: string, code: string): Promise<string> {
  const before = app.slackApi.callsTo('views.open').length;
  await app.slack.command({ text: `status ${code}`, userId, channelId: CHANNEL });
  const calls = await app.slackApi.waitForCalls('views.open', before + 1);
  return JSON.stringify(calls[before]?.args.view);
}

async function setUp(options: { smtp?: boolean } = {}) {
  const smtp = options.smtp ? await startSmtpCapture() : undefined;
  if (smtp) closers.push(smtp);
  const app = await startTestApp({ env: { MAIL_RATE_PER_SECOND: '1000', ...(smtp ? { SMTP_URL: smtp.url } : {}) } });
  const db = app.running.deps.db;
  await seedCatalog(db);
  const request = await createRequestThroughWizard(app, { requester: REQUESTER, channel: CHANNEL });
  await app.slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
    15_000,
  );
  await expect
    .poll(
      async () =>
        (
          await db
            .selectFrom('access_requests')
            .select('card_ts')
            .where('id', '=', request.id)
            .executeTakeFirstOrThrow()
        ).card_ts,
      { timeout: 10_000 },
    )
    .toMatch(/^\d+\.\d+$/);
  const record = await db.selectFrom('imports').select(['code']).executeTakeFirstOrThrow();
  return { app, db, request, importCode: record.code, smtp };
}

describe('/domum status', () => {
  it('lists the caller’s items with status, progress and a permalink, shows approvers what awaits them, and tells strangers nothing', async () => {
    const { app, request, importCode } = await setUp();

    const mine = await command(app, REQUESTER, 'status');
    expect(mine.all).toContain(request.code);
    expect(mine.all).toContain(importCode);
    expect(mine.all).toContain('Awaiting approval');
    expect(mine.all).toMatch(/\d+\/\d+ lines/);
    // The request's code links to its card's thread.
    expect(mine.all).toMatch(
      new RegExp(`<https://domum-test\\.slack\\.com/archives/${CHANNEL}/p\\d+\\|\\*${request.code}\\*>`),
    );
    expect(mine.all).not.toContain('Awaiting your decision');

    const approver = await command(app, APPROVER, 'status');
    expect(approver.all).toContain('Awaiting your decision');
    expect(approver.all).toContain(request.code);
    expect(approver.all).toContain('You have no imports or requests yet');

    const stranger = await command(app, STRANGER, 'status');
    expect(stranger.all).not.toContain(request.code);
    expect(stranger.all).not.toContain(importCode);

    // The same answer for a code that exists and one that does not: the stranger cannot tell them apart.
    for (const code of [request.code, importCode]) {
      const hidden = await command(app, STRANGER, `status ${code}`);
      const missing = await command(app, STRANGER, `status ${code.replace(/\d{6}$/, '999999')}`);
      expect(hidden.text.replace(code, 'CODE')).toBe(missing.text.replace(code.replace(/\d{6}$/, '999999'), 'CODE'));
      expect(hidden.text).toContain('that you can see');
    }
    expect((await command(app, STRANGER, 'status hello')).text).toContain('is not a code');
    expect(app.slackApi.violations).toEqual([]);
  });

  it('shows one item in detail to the requester, approvers and admins, with the access details after provisioning', async () => {
    const { app, db, request, importCode } = await setUp({ smtp: true });

    const pending = await detailModal(app, REQUESTER, request.code.toLowerCase());
    expect(pending).toContain('Awaiting approval');
    expect(pending).toContain('Decisions');
    expect(pending).toContain('none yet');
    expect(pending).toContain('Vendor approvers: 0 of 1 approval');
    expect(await detailModal(app, APPROVER, request.code)).toContain(request.code);
    const imported = await detailModal(app, ADMIN, importCode);
    expect(imported).toContain('Lines: ');
    expect(imported).toContain('Created: ');

    await app.slack.interactive({
      type: 'view_submission',
      user: { id: APPROVER, team_id: 'T0TEAM001' },
      view: {
        id: 'VAPPROVE',
        type: 'modal',
        callback_id: 'request_approve_modal',
        private_metadata: JSON.stringify({ requestId: request.id }),
        state: {
          values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: 'fine by me' } } },
        },
      },
    });
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 30_000);

    const decided = await detailModal(app, REQUESTER, request.code);
    expect(decided).toContain('Completed');
    expect(decided).toContain('approved');
    expect(decided).toContain('fine by me');
    expect(decided).toContain('Emails sent:');

    const access = await db
      .selectFrom('accesses as a')
      .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
      .select(['a.code', 'u.name', 'u.email'])
      .orderBy('a.id')
      .executeTakeFirstOrThrow();
    const forRequester = await detailModal(app, REQUESTER, access.code);
    expect(forRequester).toContain(access.email);
    expect(forRequester).toMatch(/Active|Scheduled/);
    expect(forRequester).toContain('First access: Link sent');
    expect(forRequester).toContain('Sessions used: 0');
    expect(forRequester).toContain('Schedule:');
    // Only admins get the resend button.
    expect(forRequester).not.toContain('access_resend');
    expect(await detailModal(app, ADMIN, access.code)).toContain('access_resend');
    const hidden = await command(app, STRANGER, `status ${access.code}`);
    expect(hidden.text).toContain('that you can see');
    expect(hidden.all).not.toContain(access.email);

    // A cancelled access says who cancelled it, when and why.
    const cancelled = await cancelAccesses(
      { db, jobs: app.running.deps.jobs, now: () => new Date() },
      {
        target: { kind: 'access', code: access.code },
        actor: { userId: ADMIN, isAdmin: true },
        reason: 'contract <ended>',
      },
    );
    expect(cancelled.ok).toBe(true);
    const afterCancel = await detailModal(app, REQUESTER, access.code);
    expect(afterCancel).toContain('Cancelled by <@U0ADMIN01>');
    expect(afterCancel).toContain('contract &lt;ended&gt;');
    expect(afterCancel).not.toContain('access_resend');

    // `domum status` prints the same detail for operators.
    const printed = await statusReport(db, access.code, new Date());
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toContain(access.email);
    expect(printed.stdout).toContain('First access: Link sent');
    expect(printed.stdout).toContain('contract <ended>');
    expect((await statusReport(db, request.code, new Date())).stdout).toContain('fine by me');
    expect((await statusReport(db, 'W999999', new Date())).exitCode).toBe(1);
    expect((await statusReport(db, 'nonsense', new Date())).exitCode).toBe(2);
    expect(app.slackApi.violations).toEqual([]);
  });

  it('pages ten items at a time with a More button', async () => {
    const app = await startTestApp();
    const db = app.running.deps.db;
    for (let index = 1; index <= 12; index += 1) {
      await db
        .insertInto('imports')
        .values({
          file_name: `batch-${index}.xlsx`,
          importer_user_id: ADMIN,
          source: 'modal',
          created_at: new Date(Date.UTC(2026, 10, index)),
        })
        .execute();
    }
    const first = await command(app, ADMIN, 'status');
    expect(first.all).toContain('batch-12.xlsx');
    expect(first.all).toContain('batch-3.xlsx');
    expect(first.all).not.toContain('batch-2.xlsx');
    expect(first.all).toContain('no thread yet');
    expect(first.all).toContain(STATUS_MORE_ACTION);
    // Newest first.
    expect(first.all.indexOf('batch-12.xlsx')).toBeLessThan(first.all.indexOf('batch-11.xlsx'));

    await app.slack.interactive({
      type: 'block_actions',
      user: { id: ADMIN, team_id: 'T0TEAM001' },
      response_url: app.slackApi.responseUrl('more'),
      container: { type: 'message', is_ephemeral: true },
      actions: [{ type: 'button', action_id: STATUS_MORE_ACTION, block_id: 'more', value: '10', action_ts: '1' }],
    });
    const more = await app.slackApi.waitForResponse((response) => response.id === 'more');
    const body = JSON.stringify(more.body);
    expect(body).toContain('"replace_original":true');
    expect(body).toContain('batch-2.xlsx');
    expect(body).toContain('batch-1.xlsx');
    expect(body).not.toContain('batch-3.xlsx');
    expect(body).not.toContain(STATUS_MORE_ACTION);
  });
});

describe('App Home', () => {
  it('shows my items, what awaits my approval with the card’s buttons, and for admins the catalog', async () => {
    const { app, request } = await setUp();
    const home = async (userId: string) => {
      const before = app.slackApi.callsTo('views.publish').length;
      await app.slack.event({ type: 'app_home_opened', user: userId, channel: 'D0HOME0001', tab: 'home' });
      const calls = await app.slackApi.waitForCalls('views.publish', before + 1);
      const call = calls[before];
      expect(call?.args.user_id).toBe(userId);
      return JSON.stringify(call?.args.view);
    };

    const approverHome = await home(APPROVER);
    expect(approverHome).toContain('My imports and requests');
    expect(approverHome).toContain('Awaiting my approval');
    expect(approverHome).toContain(request.code);
    expect(approverHome).toContain('request_approve');
    expect(approverHome).not.toContain('Catalog');

    const requesterHome = await home(REQUESTER);
    expect(requesterHome).toContain(request.code);
    expect(requesterHome).toContain('Nothing awaits your approval.');
    expect(requesterHome).not.toContain('request_approve');

    const adminHome = await home(ADMIN);
    expect(adminHome).toContain('Catalog');
    expect(adminHome).toContain('Vendors: 3');
    expect(adminHome).toContain('Latest imports');
    expect(adminHome).toContain('IMP-');

    // A click in the App Home has no response_url: a refusal comes as a direct message.
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: STRANGER, team_id: 'T0TEAM001' },
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home' },
      actions: [
        {
          type: 'button',
          action_id: 'request_approve',
          block_id: `home_decision_${request.id}`,
          value: String(request.id),
          action_ts: '1',
        },
      ],
    });
    const refusal = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.channel === STRANGER);
    expect(String(refusal.args.text)).toContain('only approvers');
    expect(app.slackApi.violations).toEqual([]);
  });
});
