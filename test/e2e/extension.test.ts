// `/domum extend` (issue 17), driven through signed Slack requests, the fake Web API and the SMTP server on
// loopback, with a test clock: bad input gets a specific answer and changes nothing; an earlier end applies at
// once; a later one posts a card in the request's thread and applies only once the request's access groups
// approve it at their thresholds (a rejection leaves the end as it was); the landing page and isAllowedAt follow
// the end; the email a day before the end follows it too, and users told of an end that moved are told the new
// one once; the Extend button on the requester's reminder opens the same modal; an extension nobody decides
// expires, and one still open when the request is cancelled is withdrawn.
import { describe, expect, it } from 'vitest';
import { endAfterAdding } from '../../src/domain/access-extension.ts';
import {
  accessLimitationSchema,
  describeLimitation,
  formatInstant,
  isAllowedAt,
  limitationEnd,
} from '../../src/domain/access-limitation.ts';
import type { AccessLimitation } from '../../src/domain/access-limitation.ts';
import { formatInstantWithZone } from '../../src/domain/instant-words.ts';
import type { Db } from '../../src/db/schema.ts';
import {
  COMMENT_BLOCK,
  DECISION_TEXT_ACTION,
  EXTEND_ACTION,
  EXTEND_DURATION_BLOCK,
  EXTEND_MODAL_CALLBACK,
  EXTEND_NEW_END_BLOCK,
  EXTEND_REASON_BLOCK,
  EXTEND_UNIT_BLOCK,
  EXTEND_VALUE_ACTION,
  EXTENSION_APPROVE_ACTION,
  EXTENSION_APPROVE_MODAL_CALLBACK,
  EXTENSION_REJECT_MODAL_CALLBACK,
  REASON_BLOCK,
} from '../../src/slack/ids.ts';
import { cancelAccesses } from '../../src/usecases/cancel-accesses.ts';
import { EXTENSION_REASON_REQUIRED } from '../../src/usecases/extend-request.ts';
import { provision } from '../support/landing-page-driver.ts';
import type { Provisioned } from '../support/landing-page-driver.ts';
import { queueSettled, tick } from '../support/lifecycle.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const ADMIN = 'U0ADMIN01';
const APPROVER = 'U0APPR001';
const SECOND_APPROVER = 'U0APPR002';
const STRANGER = 'U0STRANGE';
const CHANNEL = 'C0LANDING';
const TIME_ZONE = 'America/Sao_Paulo';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const USERS: Array<[string, string]> = [
  ['Ana', 'ana@globex.example'],
  ['Bia', 'bia@globex.example'],
  ['Caio', 'caio@globex.example'],
];

const words = (at: Date) => formatInstantWithZone(at, TIME_ZONE);

interface OpenedView {
  id: string;
  private_metadata: string;
  blocks: unknown;
  title: { text: string };
  submit?: { text: string };
}

interface Batch extends Provisioned {
  code: string;
  requestId: number;
  cardTs: string;
  end: Date;
}

/** Users provisioned through the real flow, whose accesses last `days` days in São Paulo's zone. */
async function batch(clock: { now: Date }, days: number, env: Record<string, string> = {}): Promise<Batch> {
  const provisioned = await provision(USERS, {
    now: () => clock.now,
    requesterTimeZone: TIME_ZONE,
    env,
    beforeApproval: async (db, requestId) => {
      const row = await db
        .selectFrom('access_requests')
        .select('limitation')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      const limitation = { ...(row.limitation as AccessLimitation), duration: { amount: days, unit: 'days' } };
      await db
        .updateTable('access_requests')
        .set({ limitation: JSON.stringify(limitation) })
        .where('id', '=', requestId)
        .execute();
    },
  });
  // Extending waits until provisioning is over (its Summary): until then accesses are still being created.
  await waitFor(
    async () =>
      (await provisioned.db.selectFrom('access_requests').select('status').executeTakeFirstOrThrow()).status ===
      'completed',
    { description: 'provisioning to complete', timeoutMs: 30_000 },
  );
  const request = await provisioned.db
    .selectFrom('access_requests')
    .select(['id', 'code', 'limitation', 'card_ts'])
    .executeTakeFirstOrThrow();
  return {
    ...provisioned,
    code: request.code,
    requestId: request.id,
    cardTs: request.card_ts ?? '',
    end: limitationEnd(accessLimitationSchema.parse(request.limitation)),
  };
}

let responseSequence = 0;

/** `/domum extend <text>`: the ack's text, or the private answer, or the modal it opened. */
async function extendCommand(app: TestApp, userId: string, text: string) {
  responseSequence += 1;
  const responseId = `extend-${responseSequence}`;
  const opensBefore = app.slackApi.callsTo('views.open').length;
  const ack = await app.slack.command({
    text: `extend ${text}`.trim(),
    userId,
    channelId: CHANNEL,
    responseUrl: app.slackApi.responseUrl(responseId),
  });
  expect(ack.status).toBe(200);
  expect(ack.durationMs).toBeLessThan(3000);
  const acked = ack.text ? (ack.json() as { text?: string }) : {};
  if (acked.text) return { ack: acked.text };
  return waitFor(
    () => {
      const answer = app.slackApi.responses.find((response) => response.id === responseId);
      if (answer) return { answer: String((answer.body as { text?: string }).text) };
      const opened = app.slackApi.callsTo('views.open')[opensBefore];
      return opened ? { view: (opened.response as { view: OpenedView }).view } : undefined;
    },
    { description: 'a private answer or a modal', timeoutMs: 10_000 },
  ) as Promise<{ ack?: string; answer?: string; view?: OpenedView }>;
}

interface ExtendFields {
  newEnd?: Date;
  add?: [string, string];
  reason?: string;
}

async function submitExtend(app: TestApp, userId: string, view: OpenedView, fields: ExtendFields) {
  const response = await app.slack.interactive({
    type: 'view_submission',
    user: { id: userId, team_id: 'T0TEAM001' },
    view: {
      id: view.id,
      type: 'modal',
      callback_id: EXTEND_MODAL_CALLBACK,
      private_metadata: view.private_metadata,
      state: {
        values: {
          [EXTEND_NEW_END_BLOCK]: {
            [EXTEND_VALUE_ACTION]: {
              type: 'datetimepicker',
              selected_date_time: fields.newEnd ? Math.floor(fields.newEnd.getTime() / 1000) : null,
            },
          },
          [EXTEND_DURATION_BLOCK]: { [EXTEND_VALUE_ACTION]: { type: 'number_input', value: fields.add?.[0] ?? null } },
          [EXTEND_UNIT_BLOCK]: {
            [EXTEND_VALUE_ACTION]: {
              type: 'static_select',
              selected_option: { value: fields.add?.[1] ?? 'days', text: { type: 'plain_text', text: 'Days' } },
            },
          },
          [EXTEND_REASON_BLOCK]: {
            [EXTEND_VALUE_ACTION]: { type: 'plain_text_input', value: fields.reason ?? 'More work to do' },
          },
        },
      },
    },
  });
  expect(response.status).toBe(200);
  expect(response.durationMs).toBeLessThan(3000);
  return response.json() as { response_action: string; errors?: Record<string, string>; view?: { blocks: unknown } };
}

/** A button pressed in a message: its private answer, if it gives one instead of opening a modal. */
async function pressButton(app: TestApp, userId: string, actionId: string, value: string, channel = CHANNEL) {
  responseSequence += 1;
  const responseId = `button-${responseSequence}`;
  const opensBefore = app.slackApi.callsTo('views.open').length;
  const response = await app.slack.interactive({
    type: 'block_actions',
    user: { id: userId, team_id: 'T0TEAM001' },
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: '1' },
    response_url: app.slackApi.responseUrl(responseId),
    actions: [{ type: 'button', action_id: actionId, block_id: 'buttons', value, action_ts: '1' }],
  });
  expect(response.status).toBe(200);
  expect(response.durationMs).toBeLessThan(3000);
  return waitFor(
    () => {
      const answer = app.slackApi.responses.find((candidate) => candidate.id === responseId);
      if (answer) return { answer: String((answer.body as { text?: string }).text) };
      const opened = app.slackApi.callsTo('views.open')[opensBefore];
      return opened ? { view: (opened.response as { view: OpenedView }).view } : undefined;
    },
    { description: 'a private answer or a modal', timeoutMs: 10_000 },
  ) as Promise<{ answer?: string; view?: OpenedView }>;
}

async function decideExtension(
  app: TestApp,
  userId: string,
  extensionId: number,
  decision: 'approve' | 'reject',
  text: string,
) {
  const block = decision === 'approve' ? COMMENT_BLOCK : REASON_BLOCK;
  const response = await app.slack.interactive({
    type: 'view_submission',
    user: { id: userId, team_id: 'T0TEAM001' },
    view: {
      id: `V${userId}`,
      type: 'modal',
      callback_id: decision === 'approve' ? EXTENSION_APPROVE_MODAL_CALLBACK : EXTENSION_REJECT_MODAL_CALLBACK,
      private_metadata: JSON.stringify({ extensionId }),
      state: { values: { [block]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: text } } } },
    },
  });
  return response.json() as { response_action: string; errors?: Record<string, string> };
}

async function accessEnds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('accesses').select('ends_at').orderBy('id').execute();
  return [...new Set(rows.map((row) => row.ends_at.getTime()))];
}

async function currentLimitation(db: Db): Promise<AccessLimitation> {
  const row = await db.selectFrom('accesses').select('limitation').orderBy('id').executeTakeFirstOrThrow();
  return accessLimitationSchema.parse(row.limitation);
}

async function extensionStatus(db: Db, extensionId: number): Promise<string> {
  const row = await db
    .selectFrom('request_extensions')
    .select('status')
    .where('id', '=', extensionId)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function latestExtensionId(db: Db): Promise<number> {
  const row = await db.selectFrom('request_extensions').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

async function waitForStatus(db: Db, extensionId: number, status: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await extensionStatus(db, extensionId)) === status, {
    description: `extension ${extensionId} to be ${status}`,
    timeoutMs,
  });
}

/** The activated page of a user's link, after posting their token. */
async function activatedPage(batched: Batch, email: string): Promise<string> {
  const response = await batched.postToken(batched.linkOf(email), batched.tokenOf(email));
  expect(response.status).toBe(200);
  return response.text();
}

/** The decoded text part of a captured email. */
function plainText(raw: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1] ?? '';
  const part = raw.split(`--${boundary}`).find((candidate) => /content-type:\s*text\/plain/i.test(candidate)) ?? '';
  const body = part.slice(part.search(/\r?\n\r?\n/)).trim();
  return Buffer.from(
    body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  )
    .toString('utf8')
    .replace(/\s+/g, ' ');
}

const threadMessages = (app: TestApp, cardTs: string, text: string) =>
  app.slackApi
    .callsTo('chat.postMessage')
    .filter((call) => call.args.thread_ts === cardTs && String(call.args.text).includes(text));

describe('/domum extend', () => {
  it('refuses bad input, shortens at once, and lengthens only when the same groups approve at their thresholds', async () => {
    const clock = { now: new Date() };
    const batched = await batch(clock, 3);
    const { app, db, code, end, cardTs } = batched;
    const start = new Date((await currentLimitation(db)).start);
    const [ana] = await db.selectFrom('accesses').select('code').orderBy('id').execute();

    // Wrong or missing codes, and codes the caller may not extend: specific answers, nothing opened.
    expect((await extendCommand(app, REQUESTER, '')).ack).toContain('`/domum extend W000123`');
    expect((await extendCommand(app, REQUESTER, 'W12')).ack).toContain('`W12` is not the code of a request.');
    expect((await extendCommand(app, REQUESTER, ana!.code)).ack).toContain(
      'is one access: extend works on a whole request.',
    );
    expect((await extendCommand(app, REQUESTER, 'W999999')).answer).toBe('No request W999999 that you can extend.');
    for (const user of [STRANGER, APPROVER])
      expect((await extendCommand(app, user, code)).answer).toBe(`No request ${code} that you can extend.`);

    // The requester's modal says when the accesses end now.
    const opened = await extendCommand(app, REQUESTER, code.toLowerCase());
    const view = opened.view!;
    expect(view.title.text).toBe(`Extend ${code}`);
    expect(view.submit?.text).toBe('Extend');
    expect(JSON.stringify(view.blocks)).toContain(`The 3 accesses of ${code} (people.xlsx) end ${words(end)}.`);

    // Each wrong answer is refused under its field, and nothing is written.
    const refused = async (fields: ExtendFields) => (await submitExtend(app, REQUESTER, view, fields)).errors;
    expect(await refused({})).toEqual({
      [EXTEND_NEW_END_BLOCK]: 'Choose a new end, or a duration to add to the current one',
    });
    expect(await refused({ newEnd: new Date(end.getTime() - DAY), add: ['1', 'days'] })).toEqual({
      [EXTEND_NEW_END_BLOCK]: 'Choose a new end or a duration to add, not both',
    });
    expect((await refused({ newEnd: new Date(clock.now.getTime() - HOUR) }))?.[EXTEND_NEW_END_BLOCK]).toContain(
      'The new end is in the past: choose a time after',
    );
    expect((await refused({ newEnd: end }))?.[EXTEND_NEW_END_BLOCK]).toContain('That is the current end');
    expect(await refused({ add: ['0', 'days'] })).toEqual({
      [EXTEND_DURATION_BLOCK]: 'Add a whole number of at least 1',
    });
    expect(await refused({ newEnd: new Date(end.getTime() - DAY), reason: '   ' })).toEqual({
      [EXTEND_REASON_BLOCK]: EXTENSION_REASON_REQUIRED,
    });
    expect(await db.selectFrom('request_extensions').selectAll().execute()).toEqual([]);
    expect(await accessEnds(db)).toEqual([end.getTime()]);

    // Before any change: Ana's page and isAllowedAt say the end as provisioned.
    expect(await activatedPage(batched, 'ana@globex.example')).toContain(`this access ends on ${words(end)}`);
    const provisioned = await currentLimitation(db);
    expect(isAllowedAt(provisioned, new Date(end.getTime() - DAY + MINUTE))).toBe(true);

    // An earlier end applies at once, without approval.
    const shorter = new Date(end.getTime() - DAY);
    const shortened = await submitExtend(app, REQUESTER, view, { newEnd: shorter, reason: 'Work done <early>' });
    expect(shortened.response_action).toBe('update');
    expect(JSON.stringify(shortened.view?.blocks)).toContain(
      `The 3 accesses of ${code} now end ${words(shorter)} instead of ${words(end)}.`,
    );
    const first = await latestExtensionId(db);
    await waitForStatus(db, first, 'applied');
    expect(await accessEnds(db)).toEqual([shorter.getTime()]);
    const afterShortening = await currentLimitation(db);
    expect(afterShortening.duration).toEqual({ amount: 2, unit: 'days' });
    expect(limitationEnd(afterShortening)).toEqual(shorter);
    expect(isAllowedAt(afterShortening, new Date(shorter.getTime() - MINUTE))).toBe(true);
    expect(isAllowedAt(afterShortening, new Date(shorter.getTime() + MINUTE))).toBe(false);
    expect(isAllowedAt(afterShortening, start)).toBe(true);
    const biaPage = await activatedPage(batched, 'bia@globex.example');
    expect(biaPage).toContain(`this access ends on ${words(shorter)}`);
    expect(biaPage).toContain(describeLimitation(afterShortening));
    const shortenedReply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === cardTs && String(call.args.text).includes('moved the end'),
      15_000,
    );
    expect(String(shortenedReply.args.text)).toBe(
      `<@${REQUESTER}> moved the end of ${code} earlier: its 3 accesses now end ${words(shorter)} instead of ${words(end)}. Reason: "Work done &lt;early&gt;".`,
    );
    // The request's card shows the schedule as it now stands.
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && JSON.stringify(call.args.blocks).includes(formatInstant(shorter, TIME_ZONE)),
      15_000,
    );

    // A later end (two days added) waits for the request's approvers, on a card in the request's thread.
    const longer = endAfterAdding(shorter, { amount: 2, unit: 'days' }, TIME_ZONE)!;
    const asked = await submitExtend(app, REQUESTER, view, { add: ['2', 'days'], reason: 'Migration slipped' });
    expect(JSON.stringify(asked.view?.blocks)).toContain(
      `Asked the approvers of ${code} to extend its accesses to ${words(longer)}`,
    );
    const second = await latestExtensionId(db);
    const card = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith(`Extension of ${code}`),
      15_000,
    );
    expect(card.args.thread_ts).toBe(cardTs);
    expect(String(card.args.text)).toBe(
      `Extension of ${code} from <@${REQUESTER}>: Awaiting approval · <@${APPROVER}>, <@${SECOND_APPROVER}>`,
    );
    const cardJson = JSON.stringify(card.args.blocks);
    expect(cardJson).toContain(`*New end:* ${words(longer)}`);
    expect(cardJson).toContain(`"action_id":"${EXTENSION_APPROVE_ACTION}"`);
    expect(cardJson).toContain(`"value":"${second}"`);
    const extensionCardTs = String((card.response as { ts: string }).ts);
    expect(await accessEnds(db)).toEqual([shorter.getTime()]);

    // While it waits: no second extension; the requester and strangers cannot decide; approvers get the modal.
    expect((await extendCommand(app, REQUESTER, code)).answer).toContain(
      `${code} already has an extension awaiting approval, to ${words(longer)}`,
    );
    expect((await pressButton(app, REQUESTER, EXTENSION_APPROVE_ACTION, String(second))).answer).toBe(
      `You cannot decide on the extension of ${code}: it is your own request, or you asked for it.`,
    );
    expect((await pressButton(app, STRANGER, EXTENSION_APPROVE_ACTION, String(second))).answer).toBe(
      `You cannot decide on the extension of ${code}: only approvers of its vendors' access groups can.`,
    );
    const approveModal = (await pressButton(app, APPROVER, EXTENSION_APPROVE_ACTION, String(second))).view!;
    expect(approveModal.title.text).toBe('Approve extension');
    expect(JSON.stringify(approveModal.blocks)).toContain(`Approve the extension of ${code}?`);

    // The group now needs two approvals: one is not enough, the second applies the new end.
    await db.updateTable('access_groups').set({ approvals_required: 2 }).execute();
    expect((await decideExtension(app, APPROVER, second, 'approve', 'ok')).response_action).toBe('clear');
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === extensionCardTs && JSON.stringify(call.args.blocks).includes('1 of 2 approvals'),
      15_000,
    );
    expect(await extensionStatus(db, second)).toBe('awaiting_approval');
    expect(await accessEnds(db)).toEqual([shorter.getTime()]);
    expect((await decideExtension(app, APPROVER, second, 'approve', '')).errors?.[COMMENT_BLOCK]).toBe(
      `You already decided on the extension of ${code}.`,
    );
    expect((await decideExtension(app, SECOND_APPROVER, second, 'approve', '')).response_action).toBe('clear');
    await waitForStatus(db, second, 'applied');
    expect(await accessEnds(db)).toEqual([longer.getTime()]);
    const afterLengthening = await currentLimitation(db);
    expect(limitationEnd(afterLengthening)).toEqual(longer);
    expect(isAllowedAt(afterLengthening, new Date(shorter.getTime() + MINUTE))).toBe(true);
    expect(isAllowedAt(afterLengthening, new Date(longer.getTime() + MINUTE))).toBe(false);
    expect(await activatedPage(batched, 'caio@globex.example')).toContain(`this access ends on ${words(longer)}`);
    const decided = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === extensionCardTs && String(call.args.text).includes(': Approved'),
      15_000,
    );
    expect(JSON.stringify(decided.args.blocks)).not.toContain(EXTENSION_APPROVE_ACTION);
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.thread_ts === cardTs &&
        call.args.text ===
          `${code} is extended: its 3 accesses now end ${words(longer)} instead of ${words(shorter)}, as <@${REQUESTER}> asked.`,
      15_000,
    );
    const approvedDm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('you asked for is approved'),
      15_000,
    );
    expect(String(approvedDm.args.text)).toBe(
      `The extension you asked for is approved: the 3 accesses of ${code} (people.xlsx) now end ${words(longer)}.`,
    );
    expect(threadMessages(app, cardTs, 'approved the extension')).toHaveLength(2);

    // An admin asks for one more day; a rejection (which needs a reason) leaves the end as it was.
    await db.updateTable('access_groups').set({ approvals_required: 1 }).execute();
    const adminView = (await extendCommand(app, ADMIN, code)).view!;
    await submitExtend(app, ADMIN, adminView, { add: ['1', 'days'], reason: 'One more day' });
    const third = await latestExtensionId(db);
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith(`Extension of ${code} from <@${ADMIN}>`),
      15_000,
    );
    expect((await decideExtension(app, APPROVER, third, 'reject', ' ')).errors).toEqual({
      [REASON_BLOCK]: 'Give a reason to reject.',
    });
    expect((await decideExtension(app, APPROVER, third, 'reject', 'Not <needed>')).response_action).toBe('clear');
    await waitForStatus(db, third, 'rejected');
    const rejectedDm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${ADMIN}` && String(call.args.text).includes('is rejected'),
      15_000,
    );
    expect(String(rejectedDm.args.text)).toBe(
      `The extension of ${code} to ${words(endAfterAdding(longer, { amount: 1, unit: 'days' }, TIME_ZONE)!)} you asked for is rejected by <@${APPROVER}>: "Not &lt;needed&gt;". Its accesses still end ${words(longer)}.`,
    );
    await queueSettled(app, 'extension.announce');
    expect(await accessEnds(db)).toEqual([longer.getTime()]);
    expect(isAllowedAt(await currentLimitation(db), new Date(longer.getTime() + MINUTE))).toBe(false);

    const audit = await db
      .selectFrom('audit_events')
      .select(['actor', 'action'])
      .where('action', 'like', 'request.extension_%')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { actor: REQUESTER, action: 'request.extension_requested' },
      { actor: REQUESTER, action: 'request.extension_applied' },
      { actor: REQUESTER, action: 'request.extension_requested' },
      { actor: APPROVER, action: 'request.extension_approved' },
      { actor: SECOND_APPROVER, action: 'request.extension_approved' },
      { actor: REQUESTER, action: 'request.extension_applied' },
      { actor: ADMIN, action: 'request.extension_requested' },
      { actor: APPROVER, action: 'request.extension_rejected' },
    ]);
    // The requester, who did not ask for the rejected one, heard nothing of it; each message was said once.
    expect(
      app.slackApi
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('rejected')),
    ).toEqual([]);
    expect(threadMessages(app, cardTs, 'moved the end')).toHaveLength(1);
    expect(threadMessages(app, cardTs, 'is extended')).toHaveLength(1);
    expect(app.slackApi.violations).toEqual([]);
  }, 180_000);

  it('makes the email before the end follow the new end, and tells users warned of an end that moved, once', async () => {
    const clock = { now: new Date() };
    const batched = await batch(clock, 2);
    const { app, db, code, end, smtp } = batched;
    const emails = () =>
      smtp.messages.map((message) => ({ to: message.to[0], subject: message.subject ?? '', raw: message.raw }));
    const warningsFor = (at: Date) =>
      emails().filter((mail) => mail.subject.endsWith(` ends ${words(at)}`) && !mail.subject.includes(' now ends '));
    const movedTo = (at: Date) => emails().filter((mail) => mail.subject.endsWith(` now ends ${words(at)}`));
    const reminders = () =>
      app.slackApi
        .callsTo('chat.postMessage')
        .filter(
          (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).startsWith(`The 3 accesses of`),
        );
    const tickUntilReminded = async () =>
      waitFor(
        async () => {
          await tick(app);
          const row = await db.selectFrom('access_requests').select('end_reminded_at').executeTakeFirstOrThrow();
          return row.end_reminded_at !== null;
        },
        { description: 'a tick to claim the reminder and the warnings', timeoutMs: 30_000 },
      );
    const settle = async () => {
      await queueSettled(app, 'access.end-notices');
      await queueSettled(app, 'request.end-reminder');
    };

    // A day before the end: the warning, and the requester's reminder with Extend.
    clock.now = new Date(end.getTime() - 23 * HOUR);
    await tickUntilReminded();
    await smtp.waitForMessages(USERS.length * 3, 15_000);
    expect(warningsFor(end)).toHaveLength(3);
    const reminder = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('accesses of'),
      15_000,
    );
    expect(String(reminder.args.text)).toContain(`Extend (or \`/domum extend ${code}\`) gives them more time.`);
    const reminderJson = JSON.stringify(reminder.args.blocks);
    expect(reminderJson).toContain(`"action_id":"${EXTEND_ACTION}"`);
    expect(reminderJson).toContain('"text":"Extend"');

    // Extend opens the same modal; three more days, approved.
    const view = (await pressButton(app, REQUESTER, EXTEND_ACTION, code, `D${REQUESTER}`)).view!;
    expect(view.title.text).toBe(`Extend ${code}`);
    await submitExtend(app, REQUESTER, view, { add: ['3', 'days'], reason: 'Still needed' });
    const extended = await latestExtensionId(db);
    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Extension of'));
    await decideExtension(app, APPROVER, extended, 'approve', '');
    await waitForStatus(db, extended, 'applied');
    const later = endAfterAdding(end, { amount: 3, unit: 'days' }, TIME_ZONE)!;

    // Those warned of the old end hear of the new one at once, once; nothing else until a day before it.
    await smtp.waitForMessages(USERS.length * 4, 15_000);
    await settle();
    expect(
      movedTo(later)
        .map((mail) => mail.to)
        .sort(),
    ).toEqual(USERS.map(([, email]) => email).sort());
    const moved = movedTo(later).find((mail) => mail.to === 'ana@globex.example')!;
    expect(plainText(moved.raw)).toContain(
      `was extended: it now ends ${words(later)}, not ${words(end)} as we told you before.`,
    );
    await tick(app);
    await settle();
    expect(emails()).toHaveLength(USERS.length * 4);

    // A day before the new end: the warning for it, and the reminder again; once, whatever the ticks.
    clock.now = new Date(later.getTime() - 23 * HOUR);
    await tickUntilReminded();
    await smtp.waitForMessages(USERS.length * 5, 15_000);
    await tick(app);
    await settle();
    expect(warningsFor(later)).toHaveLength(3);
    expect(emails()).toHaveLength(USERS.length * 5);
    await waitFor(() => reminders().length === 2, { description: 'the second reminder' });

    // Shortened within that day: they are told the new end, which counts as its warning.
    const sooner = new Date(later.getTime() - 12 * HOUR);
    await submitExtend(app, REQUESTER, (await extendCommand(app, REQUESTER, code)).view!, {
      newEnd: sooner,
      reason: 'Done sooner',
    });
    await waitForStatus(db, await latestExtensionId(db), 'applied');
    await smtp.waitForMessages(USERS.length * 6, 15_000);
    expect(plainText(movedTo(sooner)[0]!.raw)).toContain(
      `was shortened: it now ends ${words(sooner)}, not ${words(later)} as we told you before.`,
    );
    await tickUntilReminded();
    await tick(app);
    await settle();
    expect(emails()).toHaveLength(USERS.length * 6);
    expect(warningsFor(sooner)).toEqual([]);
    // The requester is reminded of the end as it now stands, too.
    await waitFor(() => reminders().length === 3, { description: 'the reminder of the new end' });
    const keys = emails().map((mail) => /^Message-ID:\s*(\S+)/im.exec(mail.raw)?.[1]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(app.slackApi.violations).toEqual([]);
  }, 180_000);

  it('expires an extension nobody decides, and withdraws an open one when the request is cancelled', async () => {
    const clock = { now: new Date() };
    // The approval TTL is what an extension gets to be decided: 20 seconds here.
    const batched = await batch(clock, 3, { APPROVAL_TTL_HOURS: String(20 / 3600) });
    const { app, db, code, end, cardTs } = batched;
    // The extension's expiry job runs on the database's clock: the app's follows it here.
    const ask = async () => {
      clock.now = new Date();
      const view = (await extendCommand(app, REQUESTER, code)).view!;
      await submitExtend(app, REQUESTER, view, { add: ['1', 'days'], reason: 'A bit more' });
      return latestExtensionId(db);
    };
    const first = await ask();
    await waitFor(
      async () => {
        clock.now = new Date();
        return (await extensionStatus(db, first)) === 'expired';
      },
      { description: 'the extension to expire', timeoutMs: 60_000 },
    );
    const expiredDm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('expired without a decision'),
      15_000,
    );
    expect(String(expiredDm.args.text)).toContain(`Its accesses still end ${words(end)}.`);
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => String(call.args.text).startsWith(`Extension of ${code}`) && String(call.args.text).includes('Expired'),
      15_000,
    );
    expect((await decideExtension(app, APPROVER, first, 'approve', '')).errors?.[COMMENT_BLOCK]).toBe(
      `The extension of ${code} was already decided: Expired.`,
    );
    expect(await accessEnds(db)).toEqual([end.getTime()]);

    const second = await ask();
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith(`Extension of ${code}`) && call.args.thread_ts === cardTs,
      15_000,
    );
    const cancelled = await cancelAccesses(app.running.deps, {
      target: { kind: 'request', code },
      actor: { userId: REQUESTER, isAdmin: false },
      reason: 'Project stopped',
    });
    expect(cancelled.ok).toBe(true);
    expect(await extensionStatus(db, second)).toBe('cancelled');
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.thread_ts === cardTs &&
        String(call.args.text).includes(`The extension of ${code}`) &&
        String(call.args.text).includes('was withdrawn: the request was cancelled.'),
      15_000,
    );
    const withdrawn = await app.slackApi.waitForCall(
      'chat.update',
      (call) =>
        String(call.args.text).startsWith(`Extension of ${code}`) && String(call.args.text).includes('Cancelled'),
      15_000,
    );
    expect(JSON.stringify(withdrawn.args.blocks)).not.toContain(EXTENSION_APPROVE_ACTION);
    expect((await extendCommand(app, REQUESTER, code)).answer).toBe(
      `${code} is Cancelled: its links no longer work, there is nothing to extend. A new request gives new access.`,
    );
    expect(
      await db.selectFrom('audit_events').select('action').where('action', '=', 'request.extension_expired').execute(),
    ).toHaveLength(1);
    expect(app.slackApi.violations).toEqual([]);
  }, 180_000);
});
