// `/domum cancel` (issue 8): the kill switch. Driven through signed Slack requests: a stranger learns nothing,
// an empty reason is answered under the field, a cancelled access's link stops working at once, cancelling a
// request cancels all its accesses once even when the modal is submitted twice, and provisioning that is
// still under way sends nothing more.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION,
  COMMENT_BLOCK,
  DECISION_TEXT_ACTION,
  CANCEL_MODAL_CALLBACK,
  CANCEL_REASON_ACTION,
  CANCEL_REASON_BLOCK,
} from '../../src/slack/ids.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import type { SmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const ADMIN = 'U0ADMIN01';
const APPROVER = 'U0APPR001';
const STRANGER = 'U0STRANGE';
const CHANNEL = 'C0CANCEL';

const captures: SmtpCapture[] = [];
afterEach(async () => {
  for (const capture of captures.splice(0)) await capture.close();
});

function people(): Buffer {
  const rows = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    ['Globex', 'Ana <b>Souza</b>', 'ana@globex.example', 'Yes'],
    ['Globex', 'Bruno', 'bruno@globex.example', 'Yes'],
    ['Globex', 'Carla', 'carla@globex.example', 'Yes'],
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

interface OpenedView {
  id: string;
  private_metadata: string;
  blocks: unknown;
  title: { text: string };
  submit?: { text: string };
  close?: { text: string };
}

async function startWithRequest(options: { smtp?: SmtpCapture } = {}) {
  const app = await startTestApp({
    env: { MAIL_RATE_PER_SECOND: '1000', ...(options.smtp ? { SMTP_URL: options.smtp.url } : {}) },
  });
  await seedCatalog(app.running.deps.db);
  const request = await createRequestThroughWizard(app, {
    requester: REQUESTER,
    channel: CHANNEL,
    file: 'people.xlsx',
    bytes: people(),
  });
  const card = await app.slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
    15_000,
  );
  return { app, request, cardTs: String((card.response as { ts: string }).ts) };
}

function approve(app: TestApp, requestId: number) {
  return app.slack.interactive({
    type: 'view_submission',
    user: { id: APPROVER, team_id: 'T0TEAM001' },
    view: {
      id: 'VAPPROVE',
      type: 'modal',
      callback_id: 'request_approve_modal',
      private_metadata: JSON.stringify({ requestId }),
      state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
    },
  });
}

let responseSequence = 0;

/** `/domum cancel <text>`: the command's ack, and its private answer (response_url) if there is one instead of a modal. */
async function cancelCommand(app: TestApp, userId: string, text: string) {
  responseSequence += 1;
  const responseId = `cancel-${responseSequence}`;
  const opensBefore = app.slackApi.callsTo('views.open').length;
  const ack = await app.slack.command({
    text: `cancel ${text}`.trim(),
    userId,
    channelId: CHANNEL,
    responseUrl: app.slackApi.responseUrl(responseId),
  });
  expect(ack.status).toBe(200);
  expect(ack.durationMs).toBeLessThan(3000);
  const acked = ack.text ? (ack.json() as { text?: string }) : {};
  if (acked.text) return { ack: acked, answer: undefined, view: undefined };
  const outcome = await waitFor(
    () => {
      const answer = app.slackApi.responses.find((response) => response.id === responseId);
      if (answer) return { answer: String((answer.body as { text?: string }).text) };
      const opened = app.slackApi.callsTo('views.open')[opensBefore];
      if (opened) return { view: (opened.response as { view: OpenedView }).view };
      return undefined;
    },
    { description: 'a private answer or a modal', timeoutMs: 10_000 },
  );
  return { ack: acked, answer: undefined, view: undefined, ...outcome };
}

function submitReason(app: TestApp, userId: string, view: OpenedView, reason: string) {
  return app.slack.interactive({
    type: 'view_submission',
    user: { id: userId, team_id: 'T0TEAM001' },
    view: {
      id: view.id,
      type: 'modal',
      callback_id: CANCEL_MODAL_CALLBACK,
      private_metadata: view.private_metadata,
      state: {
        values: { [CANCEL_REASON_BLOCK]: { [CANCEL_REASON_ACTION]: { type: 'plain_text_input', value: reason } } },
      },
    },
  });
}

const threadReplies = (app: TestApp, text: string) =>
  app.slackApi
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === CHANNEL && call.args.thread_ts && String(call.args.text).includes(text));

describe('/domum cancel', () => {
  it('answers a stranger as for an unknown code, cancels one access, then the rest of the request once even if submitted twice', async () => {
    const smtp = await startSmtpCapture();
    captures.push(smtp);
    const { app, request, cardTs } = await startWithRequest({ smtp });
    const db = app.running.deps.db;
    await approve(app, request.id);
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 30_000);
    await smtp.waitForMessages(6, 15_000);
    const accesses = await db
      .selectFrom('accesses as a')
      .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
      .select(['a.id', 'a.code', 'a.link_id', 'u.email'])
      .orderBy('a.id')
      .execute();
    expect(accesses).toHaveLength(3);
    const ana = accesses.find((access) => access.email === 'ana@globex.example')!;

    // Wrong format and no code: how to use it, at once, in the ack.
    expect((await cancelCommand(app, REQUESTER, 'W12')).ack.text).toContain(
      '`W12` is not the code of a request or an access',
    );
    expect((await cancelCommand(app, REQUESTER, '')).ack.text).toContain('/domum cancel W000123');

    // A stranger, and an approver (neither the requester nor an admin): the same answer as for a code that
    // does not exist, whether it names the request or one access.
    const unknownRequest = await cancelCommand(app, REQUESTER, 'W999999');
    expect(unknownRequest.answer).toBe('No request or access W999999 that you can cancel.');
    const unknownAccess = await cancelCommand(app, REQUESTER, 'EXT-26-999999');
    expect(unknownAccess.answer).toBe('No request or access EXT-26-999999 that you can cancel.');
    for (const user of [STRANGER, APPROVER]) {
      expect((await cancelCommand(app, user, request.code)).answer).toBe(
        `No request or access ${request.code} that you can cancel.`,
      );
      expect((await cancelCommand(app, user, ana.code)).answer).toBe(
        `No request or access ${ana.code} that you can cancel.`,
      );
    }

    // The requester cancels one access (lower case works): the modal says whose, and asks for a reason.
    const one = await cancelCommand(app, REQUESTER, ana.code.toLowerCase());
    expect(one.view).toBeDefined();
    const oneView = one.view!;
    expect(oneView.title.text).toBe(`Cancel ${ana.code}`);
    expect(oneView.submit?.text).toBe('Confirm');
    expect(oneView.close?.text).toBe('Back');
    expect(JSON.stringify(oneView.blocks)).toContain(
      `This cancels ${ana.code} of Ana &lt;b&gt;Souza&lt;/b&gt; (Globex)`,
    );
    const empty = await submitReason(app, REQUESTER, oneView, '   ');
    expect(empty.json()).toEqual({
      response_action: 'errors',
      errors: { [CANCEL_REASON_BLOCK]: expect.stringContaining('Give a reason') },
    });
    expect(
      (await db.selectFrom('accesses').select('status').where('id', '=', ana.id).executeTakeFirstOrThrow()).status,
    ).not.toBe('cancelled');
    const oneDone = (await submitReason(app, REQUESTER, oneView, 'Ana left the vendor')).json() as {
      response_action: string;
      view: { blocks: unknown };
    };
    expect(oneDone.response_action).toBe('update');
    expect(JSON.stringify(oneDone.view.blocks)).toContain(`${ana.code} is cancelled`);
    const oneReply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes(`cancelled ${ana.code}`),
      15_000,
    );
    expect(String(oneReply.args.text)).toContain('"Ana left the vendor"');
    expect(String(oneReply.args.text)).toContain('&lt;b&gt;');
    expect(
      (await db.selectFrom('accesses').select('status').where('id', '!=', ana.id).execute()).map((row) => row.status),
    ).not.toContain('cancelled');

    // Ana's link stops working at once: the page shows the cancelled state, and her token is refused.
    const anaMails = smtp.messages
      .filter((message) => message.to[0] === ana.email)
      .map((message) => message.raw.replace(/=\r\n/g, ''));
    const token = anaMails
      .map((raw) => /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/.exec(raw)?.[0])
      .find(Boolean)!;
    const link = `${app.baseUrl}/access/${ana.link_id}`;
    const page = await fetch(link);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    const pageHtml = await page.text();
    expect(pageHtml).toMatch(/cancelled/i);
    expect(pageHtml).not.toContain('name="token"');
    const posted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, csrf: 'x' }).toString(),
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.status).toBeLessThan(500);
    const anaAfter = await db
      .selectFrom('accesses')
      .select(['status', 'first_access_state', 'token_hash', 'token_expires_at', 'cancelled_at'])
      .where('id', '=', ana.id)
      .executeTakeFirstOrThrow();
    expect(anaAfter).toMatchObject({
      status: 'cancelled',
      first_access_state: 'link_sent',
      token_hash: null,
      token_expires_at: null,
    });
    expect(anaAfter.cancelled_at).toBeInstanceOf(Date);
    expect((await cancelCommand(app, REQUESTER, ana.code)).answer).toBe(
      `${ana.code} is already cancelled: its links no longer work.`,
    );

    // An admin cancels the whole request; the modal is submitted twice at the same instant.
    const all = await cancelCommand(app, ADMIN, request.code);
    const allView = all.view!;
    expect(JSON.stringify(allView.blocks)).toContain(
      `This cancels the 2 accesses of ${request.code}: their links stop working at once.`,
    );
    const reason = 'Contract <ended> early';
    const [first, second] = await Promise.all([
      submitReason(app, ADMIN, allView, reason),
      submitReason(app, ADMIN, allView, reason),
    ]);
    const answers = [first.json(), second.json()].map((body) => JSON.stringify(body));
    expect(
      answers.filter((answer) => answer.includes(`${request.code} is cancelled: 2 accesses cancelled`)),
    ).toHaveLength(1);
    expect(answers.filter((answer) => answer.includes(`${request.code} is already cancelled`))).toHaveLength(1);

    expect(
      (await db.selectFrom('access_requests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('cancelled');
    const after = await db.selectFrom('accesses').select(['status', 'token_hash', 'cancelled_at']).execute();
    expect(
      after.every(
        (access) => access.status === 'cancelled' && access.token_hash === null && access.cancelled_at !== null,
      ),
    ).toBe(true);
    const audit = await db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'target', 'details'])
      .where('action', 'in', ['access.cancelled', 'request.cancelled'])
      .orderBy('id')
      .execute();
    expect(audit.filter((event) => event.action === 'request.cancelled')).toEqual([
      {
        actor: ADMIN,
        action: 'request.cancelled',
        target: request.code,
        details: expect.objectContaining({ reason, accesses: 2, previousStatus: 'completed' }),
      },
    ]);
    expect(
      audit
        .filter((event) => event.action === 'access.cancelled')
        .map((event) => event.target)
        .sort(),
    ).toEqual(accesses.map((access) => access.code).sort());
    expect(await db.selectFrom('cancellations').select(['access_id', 'access_count']).orderBy('id').execute()).toEqual([
      { access_id: ana.id, access_count: 1 },
      { access_id: null, access_count: 2 },
    ]);

    // The thread says who cancelled how many and why, once; the card says Cancelled; the requester, who did
    // not cancel it, is told by DM (and was not for the access they cancelled themselves).
    const reply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.channel === CHANNEL && String(call.args.text).includes(`<@${ADMIN}> cancelled ${request.code}`),
      15_000,
    );
    expect(String(reply.args.text)).toContain('2 accesses cancelled');
    expect(String(reply.args.text)).toContain('"Contract &lt;ended&gt; early"');
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && JSON.stringify(call.args.blocks).includes('Cancelled'),
      15_000,
    );
    const dm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('cancelled your request'),
      15_000,
    );
    expect(String(dm.args.text)).toContain(
      `<@${ADMIN}> cancelled your request ${request.code} for people.xlsx: 2 accesses cancelled`,
    );
    await waitFor(
      async () =>
        (await app.running.deps.jobs.boss.findJobs('cancellation.announce')).every((job) => job.state === 'completed'),
      { description: 'the announcements to finish' },
    );
    expect(threadReplies(app, `cancelled ${request.code}`)).toHaveLength(1);
    expect(
      app.slackApi
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes(' cancelled ')),
    ).toHaveLength(1);
    expect((await cancelCommand(app, ADMIN, request.code)).answer).toBe(
      `${request.code} is already cancelled: its links no longer work.`,
    );
    expect(app.slackApi.violations).toEqual([]);
  }, 120_000);

  it('cancels a request awaiting approval like the card menu, with the reason in the thread', async () => {
    const { app, request, cardTs } = await startWithRequest();
    const db = app.running.deps.db;
    const opened = await cancelCommand(app, REQUESTER, request.code);
    expect(JSON.stringify(opened.view!.blocks)).toContain(`This cancels ${request.code}, which is awaiting approval`);
    const done = (await submitReason(app, REQUESTER, opened.view!, 'Wrong file')).json() as {
      response_action: string;
      view: { blocks: unknown };
    };
    expect(JSON.stringify(done.view.blocks)).toContain(
      `${request.code} is cancelled: approvers can no longer decide on it`,
    );
    const row = await db
      .selectFrom('access_requests')
      .select(['status', 'decided_at'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    expect(row.decided_at).toBeInstanceOf(Date);
    const update = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && JSON.stringify(call.args.blocks).includes('Cancelled'),
      15_000,
    );
    expect(JSON.stringify(update.args.blocks)).not.toContain(APPROVE_ACTION);
    const reply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes(`cancelled ${request.code}`),
      15_000,
    );
    expect(String(reply.args.text)).toBe(
      `<@${REQUESTER}> cancelled ${request.code} while it was awaiting approval. Reason: "Wrong file". Status: Cancelled.`,
    );
    // An approver who comes late is told it was decided; nothing is approved.
    await approve(app, request.id);
    expect(
      (await db.selectFrom('access_requests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('cancelled');
    expect(await db.selectFrom('approval_responses').selectAll().execute()).toEqual([]);
    expect(
      await db
        .selectFrom('audit_events')
        .select(['actor', 'details'])
        .where('action', '=', 'request.cancelled')
        .execute(),
    ).toEqual([{ actor: REQUESTER, details: { reason: 'Wrong file', accesses: 0 } }]);
    // Nobody else cancelled it: no DM to the requester about it.
    await waitFor(
      async () =>
        (await app.running.deps.jobs.boss.findJobs('cancellation.announce')).every((job) => job.state === 'completed'),
      { description: 'the announcement to finish' },
    );
    expect(
      app.slackApi
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('cancelled')),
    ).toEqual([]);
    expect(app.slackApi.violations).toEqual([]);
  }, 60_000);

  it('stops provisioning under way: the accesses are cancelled and no email goes out after', async () => {
    const smtp = await startSmtpCapture();
    captures.push(smtp);
    const { app, request } = await startWithRequest({ smtp });
    const db = app.running.deps.db;
    // The mail server refuses for now (a temporary 421): the emails wait for a retry.
    smtp.setFailWith({ code: 421, message: '4.3.2 try again later', stage: 'rcpt' });
    await approve(app, request.id);
    await smtp.waitForRejections(1, 15_000);
    await waitFor(
      async () =>
        (await db.selectFrom('access_requests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow())
          .status === 'processing',
      { description: 'processing' },
    );
    const opened = await cancelCommand(app, ADMIN, request.code);
    expect(JSON.stringify(opened.view!.blocks)).toContain(
      `This cancels the 3 accesses of ${request.code}: their links stop working at once. Provisioning stops`,
    );
    await submitReason(app, ADMIN, opened.view!, 'Wrong vendor');
    smtp.setFailWith(undefined);
    // The email job runs again after its backoff, finds every access cancelled, and sends nothing.
    await waitFor(
      async () => {
        const jobs = await app.running.deps.jobs.boss.findJobs('access.emails');
        return jobs.length > 0 && jobs.every((job) => job.state === 'completed');
      },
      { description: 'the email job to finish', timeoutMs: 60_000 },
    );
    expect(smtp.messages).toEqual([]);
    expect(
      (await db.selectFrom('access_requests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('cancelled');
    expect(
      (await db.selectFrom('accesses').select('status').execute()).every((access) => access.status === 'cancelled'),
    ).toBe(true);
    expect(
      app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Summary')),
    ).toEqual([]);
  }, 120_000);
});
